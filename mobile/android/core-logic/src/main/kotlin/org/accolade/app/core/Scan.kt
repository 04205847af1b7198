package org.accolade.app.core

import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.accolade_ffi.PeerOffer
import uniffi.accolade_ffi.ScanOutcome

/** The camera screen: whatever Accolade QR is read, [AccoladeClient.handleScan] acts on it. */
data class ScanState(
    val busy: Boolean = false,
    /** The last result as a sentence, e.g. "You got the badge Star Helper". */
    val result: String? = null,
    val outcome: ScanOutcome? = null,
    val error: UserError? = null,
)

/**
 * Turns camera frames into one action per code. The camera reports the same QR many times a
 * second, so a text is handled once until another is seen (or [rearm] is called).
 */
class ScanViewModel(private val app: AppModel) {
    private val _state = MutableStateFlow(ScanState())
    val state: StateFlow<ScanState> = _state.asStateFlow()
    private var lastText: String? = null

    /** Called for every decoded frame; returns null when the text was just handled. */
    fun onScanned(text: String): Job? {
        val t = text.trim()
        if (t.isEmpty() || t == lastText || _state.value.busy) return null
        lastText = t
        _state.value = ScanState(busy = true)
        return app.scope.launch {
            when (val r = app.call { it.handleScan(t) }) {
                is Outcome.Ok -> route(r.value)
                is Outcome.Failed -> _state.value = ScanState(error = r.error)
            }
        }
    }

    /** Lets the same code be scanned again (e.g. after "Try again"). */
    fun rearm() { lastText = null; _state.update { it.copy(error = null) } }

    private fun route(o: ScanOutcome) {
        val text = when (o) {
            is ScanOutcome.Claimed -> {
                app.navigator.push(Screen.BadgeDetail(o.badge.id))
                if (o.alreadyClaimed) "You already have ${o.badge.name}." else "You got the badge ${o.badge.name}!"
            }
            is ScanOutcome.ClaimQueued -> {
                app.setConnection(Connection.OFFLINE)
                "Saved. The badge will be claimed when you're back online."
            }
            is ScanOutcome.OfferAccepted -> "${o.nomination.nominator.displayName} nominated you for ${o.nomination.badgeName}."
            is ScanOutcome.SignedIn -> {
                app.signedIn(o.user)
                "Signed in as ${o.user.displayName}."
            }
        }
        _state.value = ScanState(result = text, outcome = o)
    }
}

/** "Show to give": a QR a classmate scans to receive a nomination for the badge. */
data class PeerOfferState(
    val loading: Boolean = false,
    val offer: PeerOffer? = null,
    val secondsLeft: Long = 0,
    val error: UserError? = null,
) {
    val expired: Boolean get() = offer != null && secondsLeft <= 0
}

class PeerOfferViewModel(private val app: AppModel, val badgeClassId: String, private val now: () -> java.time.Instant = java.time.Instant::now) {
    private val _state = MutableStateFlow(PeerOfferState())
    val state: StateFlow<PeerOfferState> = _state.asStateFlow()

    fun create(): Job {
        _state.value = PeerOfferState(loading = true)
        return app.scope.launch {
            when (val r = app.call { it.createPeerOffer(badgeClassId) }) {
                is Outcome.Ok -> _state.value = PeerOfferState(offer = r.value, secondsLeft = secondsLeft(r.value))
                is Outcome.Failed -> _state.value = PeerOfferState(error = r.error)
            }
        }
    }

    /** Called once a second by the screen to count down to expiry. */
    fun tick() = _state.update { s -> s.offer?.let { s.copy(secondsLeft = secondsLeft(it)) } ?: s }

    private fun secondsLeft(o: PeerOffer) = maxOf(0L, o.expiresAt.epochSecond - now().epochSecond)
}
