package org.accolade.app.core

import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.accolade_ffi.Badge
import uniffi.accolade_ffi.BadgeStatus
import uniffi.accolade_ffi.Verification
import uniffi.accolade_ffi.VerificationStatus

/** "My badges": newest first; served from the phone when offline. */
data class BadgesState(
    val loading: Boolean = false,
    val badges: List<Badge> = emptyList(),
    val fromCache: Boolean = false,
    val error: UserError? = null,
) {
    val isEmpty: Boolean get() = !loading && error == null && badges.isEmpty()
}

class BadgesViewModel(private val app: AppModel) {
    private val _state = MutableStateFlow(BadgesState())
    val state: StateFlow<BadgesState> = _state.asStateFlow()

    fun load(): Job {
        _state.update { it.copy(loading = true, error = null) }
        return app.scope.launch {
            when (val r = app.call({ it.fromCache }) { it.myBadges() }) {
                is Outcome.Ok -> {
                    _state.value = BadgesState(badges = r.value.badges, fromCache = r.value.fromCache)
                }
                is Outcome.Failed -> _state.update { it.copy(loading = false, error = r.error) }
            }
        }
    }

    /** A badge arrived live (event stream): show it at once, without a reload. */
    fun onAwardIssued(badge: Badge) = _state.update { s ->
        if (s.badges.any { it.id == badge.id }) s else s.copy(badges = listOf(badge) + s.badges)
    }

    fun onAwardRevoked(badge: Badge) = _state.update { s ->
        s.copy(badges = s.badges.map { if (it.id == badge.id) it.copy(status = BadgeStatus.REVOKED) else it })
    }

    fun open(badge: Badge) = app.navigator.push(Screen.BadgeDetail(badge.id))
}

/** One badge: its baked image, sharing, and checking it on the phone. */
data class BadgeDetailState(
    val loading: Boolean = false,
    val badge: Badge? = null,
    val verifying: Boolean = false,
    val verification: Verification? = null,
    val error: UserError? = null,
) {
    /** What the share sheet sends: the hosted assertion, which any verifier can check. */
    val shareText: String?
        get() = badge?.let { "I earned the \"${it.name}\" badge from ${it.issuerName}: ${it.assertionUrl}" }

    val verificationText: String?
        get() = verification?.let { verdictText(it) }
}

/** The sentence for a verification verdict. */
fun verdictText(v: Verification): String = when (v.status) {
    VerificationStatus.VALID -> "Genuine: this badge checks out with the school that issued it."
    VerificationStatus.REVOKED -> "Revoked by the school" + (v.revocationReason?.let { ": $it" } ?: ".")
    VerificationStatus.EXPIRED -> "Expired: this badge is no longer current."
    VerificationStatus.WRONG_RECIPIENT -> "Genuine, but it belongs to someone else."
    VerificationStatus.TAMPERED -> "Not genuine: the file doesn't match what the school issued."
}

class BadgeDetailViewModel(private val app: AppModel, val awardId: String) {
    private val _state = MutableStateFlow(BadgeDetailState())
    val state: StateFlow<BadgeDetailState> = _state.asStateFlow()

    fun load(): Job {
        _state.update { it.copy(loading = true, error = null) }
        return app.scope.launch {
            when (val r = app.call { it.badgeDetail(awardId) }) {
                is Outcome.Ok -> _state.update { it.copy(loading = false, badge = r.value) }
                is Outcome.Failed -> _state.update { it.copy(loading = false, error = r.error) }
            }
        }
    }

    /** Checks the baked image against the issuer's hosted assertion (needs a connection). */
    fun verify(): Job {
        val png = _state.value.badge?.bakedPng
        _state.update { it.copy(verifying = true, verification = null, error = null) }
        return app.scope.launch {
            if (png == null) {
                _state.update { it.copy(verifying = false, error = UserError(ErrorKind.NOT_FOUND, "error_no_image", "The badge image hasn't downloaded yet.")) }
                return@launch
            }
            when (val r = app.call { it.verifyBadge(png, null) }) {
                is Outcome.Ok -> _state.update { it.copy(verifying = false, verification = r.value) }
                is Outcome.Failed -> _state.update { it.copy(verifying = false, error = r.error) }
            }
        }
    }
}
