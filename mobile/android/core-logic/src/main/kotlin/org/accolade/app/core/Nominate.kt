package org.accolade.app.core

import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.accolade_ffi.BadgeClassInfo
import uniffi.accolade_ffi.NominateOutcome
import uniffi.accolade_ffi.Person

/** Why a nomination can't be sent yet (checked before any network call). */
enum class NominateProblem { NO_BADGE, NO_CLASSMATE, NARRATIVE_TOO_SHORT, NARRATIVE_TOO_LONG }

/** "Nominate a classmate": pick a badge, one or more classmates, and say why. */
data class NominateState(
    val loading: Boolean = false,
    val badges: List<BadgeClassInfo> = emptyList(),
    val classmates: List<Person> = emptyList(),
    val badgeId: String? = null,
    val nomineeIds: Set<String> = emptySet(),
    val narrative: String = "",
    val sending: Boolean = false,
    /** Set after a send: what happened, for a confirmation line. */
    val done: String? = null,
    val error: UserError? = null,
) {
    val problems: Set<NominateProblem>
        get() = buildSet {
            if (badgeId == null) add(NominateProblem.NO_BADGE)
            if (nomineeIds.isEmpty()) add(NominateProblem.NO_CLASSMATE)
            val len = narrative.trim().length
            if (len < NARRATIVE_MIN) add(NominateProblem.NARRATIVE_TOO_SHORT)
            if (len > NARRATIVE_MAX) add(NominateProblem.NARRATIVE_TOO_LONG)
        }
    val canSend: Boolean get() = !sending && problems.isEmpty()

    companion object {
        /** A reason of a few words at least: teachers decide on it. */
        const val NARRATIVE_MIN = 10
        /** The server's limit for a narrative. */
        const val NARRATIVE_MAX = 2000
    }
}

class NominateViewModel(private val app: AppModel) {
    private val _state = MutableStateFlow(NominateState())
    val state: StateFlow<NominateState> = _state.asStateFlow()

    fun load(): Job {
        _state.update { it.copy(loading = true, error = null) }
        return app.scope.launch {
            val badges = app.call { it.nominableBadges() }
            val people = app.call { it.classmates() }
            _state.update { s ->
                s.copy(
                    loading = false,
                    badges = (badges as? Outcome.Ok)?.value ?: s.badges,
                    classmates = ((people as? Outcome.Ok)?.value ?: s.classmates).sortedBy { it.displayName },
                    error = (badges as? Outcome.Failed)?.error ?: (people as? Outcome.Failed)?.error,
                )
            }
        }
    }

    fun selectBadge(id: String) = _state.update { it.copy(badgeId = id, done = null, error = null) }
    fun toggleNominee(id: String) = _state.update {
        it.copy(nomineeIds = if (id in it.nomineeIds) it.nomineeIds - id else it.nomineeIds + id, done = null, error = null)
    }
    fun setNarrative(v: String) = _state.update { it.copy(narrative = v, done = null, error = null) }

    fun send(): Job {
        val s = _state.value
        if (!s.canSend) return Job().also { it.complete() }
        _state.update { it.copy(sending = true, error = null, done = null) }
        return app.scope.launch {
            when (val r = app.call { it.nominate(s.badgeId!!, s.nomineeIds.toList(), s.narrative.trim(), null) }) {
                is Outcome.Ok -> {
                    val msg = when (val o = r.value) {
                        is NominateOutcome.Sent -> {
                            val n = o.nominations.size
                            "Sent ${if (n == 1) "1 nomination" else "$n nominations"} to your teacher. " +
                                "You can make ${o.remainingThisWeek} more this week."
                        }
                        is NominateOutcome.Queued -> {
                            app.setConnection(Connection.OFFLINE)
                            "Saved. It will be sent when you're back online."
                        }
                    }
                    _state.update { it.copy(sending = false, nomineeIds = emptySet(), narrative = "", done = msg) }
                }
                is Outcome.Failed -> _state.update { it.copy(sending = false, error = r.error) }
            }
        }
    }
}
