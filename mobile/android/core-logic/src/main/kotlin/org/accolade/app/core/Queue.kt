package org.accolade.app.core

import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.accolade_ffi.ActionReport
import uniffi.accolade_ffi.DecideOutcome
import uniffi.accolade_ffi.DecisionKind
import uniffi.accolade_ffi.Nomination
import uniffi.accolade_ffi.QueuedAction

/** The teacher's moderation queue. */
data class QueueState(
    val loading: Boolean = false,
    val items: List<Nomination> = emptyList(),
    val fromCache: Boolean = false,
    /** Nominations decided offline, waiting to be sent (shown greyed with "will send"). */
    val pendingSync: Set<String> = emptySet(),
    /** The nomination whose reject dialog is open, and the reason typed so far. */
    val rejecting: String? = null,
    val reason: String = "",
    val busy: Set<String> = emptySet(),
    val message: String? = null,
    val error: UserError? = null,
) {
    val canConfirmReject: Boolean get() = rejecting != null && reason.trim().length >= REASON_MIN

    companion object {
        /** The nominator reads the reason: a few words at least. */
        const val REASON_MIN = 5
    }
}

class QueueViewModel(private val app: AppModel) {
    private val _state = MutableStateFlow(QueueState())
    val state: StateFlow<QueueState> = _state.asStateFlow()

    fun load(): Job {
        _state.update { it.copy(loading = true, error = null) }
        return app.scope.launch {
            when (val r = app.call({ it.fromCache }) { it.queue() }) {
                is Outcome.Ok -> {
                    _state.update { s ->
                        s.copy(loading = false, fromCache = r.value.fromCache, items = r.value.nominations.filterNot { it.id in s.pendingSync })
                    }
                }
                is Outcome.Failed -> _state.update { it.copy(loading = false, error = r.error) }
            }
        }
    }

    fun approve(id: String): Job = decide(id, DecisionKind.APPROVE, null)

    fun startReject(id: String) = _state.update { it.copy(rejecting = id, reason = "", error = null) }
    fun setReason(v: String) = _state.update { it.copy(reason = v) }
    fun cancelReject() = _state.update { it.copy(rejecting = null, reason = "") }

    /** Sends the open reject dialog; does nothing until the reason is long enough. */
    fun confirmReject(): Job? {
        val s = _state.value
        if (!s.canConfirmReject) return null
        _state.update { it.copy(rejecting = null, reason = "") }
        return decide(s.rejecting!!, DecisionKind.REJECT, s.reason.trim())
    }

    /** A nomination arrived live: add it on top. */
    fun onNominationCreated(n: Nomination) = _state.update { s ->
        if (s.items.any { it.id == n.id }) s else s.copy(items = listOf(n) + s.items)
    }

    /** Decided elsewhere (another teacher, the web page): drop it. */
    fun onNominationDecided(n: Nomination) = _state.update { s -> s.copy(items = s.items.filterNot { it.id == n.id }) }

    private fun decide(id: String, kind: DecisionKind, reason: String?): Job {
        _state.update { it.copy(busy = it.busy + id, error = null, message = null) }
        return app.scope.launch {
            val name = _state.value.items.firstOrNull { it.id == id }?.let { "${it.nominee.displayName} (${it.badgeName})" } ?: "the nomination"
            when (val r = app.call { it.decide(id, kind, reason) }) {
                is Outcome.Ok -> _state.update { s ->
                    when (r.value) {
                        is DecideOutcome.Decided -> s.copy(
                            busy = s.busy - id,
                            items = s.items.filterNot { it.id == id },
                            message = if (kind == DecisionKind.APPROVE) "Approved $name." else "Rejected $name.",
                        )
                        is DecideOutcome.Queued -> {
                            app.setConnection(Connection.OFFLINE)
                            s.copy(busy = s.busy - id, pendingSync = s.pendingSync + id, message = "Saved: your decision on $name is sent when you're back online.")
                        }
                    }
                }
                is Outcome.Failed -> _state.update { s ->
                    // Decided elsewhere meanwhile: it no longer belongs in the queue.
                    val gone = r.error.key == "error_already_decided" || r.error.kind == ErrorKind.NOT_FOUND
                    s.copy(busy = s.busy - id, items = if (gone) s.items.filterNot { it.id == id } else s.items, error = r.error)
                }
            }
        }
    }
}

/** Actions saved while offline, and what happened to them once sent. */
data class OutboxState(
    val queued: List<QueuedAction> = emptyList(),
    val reports: List<ActionReport> = emptyList(),
    val flushing: Boolean = false,
    val error: UserError? = null,
) {
    /** One line per failed action, for a snackbar after a flush. */
    val failures: List<String>
        get() = reports.filter { !it.succeeded }.map { r ->
            val why = r.errorCode?.let { conflictError(it).takeIf { e -> e.key != "error_conflict" }?.message ?: it } ?: "unknown"
            "Your ${r.kind} could not be sent: $why"
        }
}

class OutboxViewModel(private val app: AppModel) {
    private val _state = MutableStateFlow(OutboxState())
    val state: StateFlow<OutboxState> = _state.asStateFlow()

    fun refresh() {
        try {
            _state.update { it.copy(queued = app.client.queuedActions(), error = null) }
        } catch (e: Exception) {
            _state.update { it.copy(error = app.onError(e)) }
        }
    }

    /** Sends everything queued (call when the connection comes back). */
    fun flush(): Job {
        _state.update { it.copy(flushing = true, error = null) }
        return app.scope.launch {
            when (val r = app.call { it.flushQueue() }) {
                is Outcome.Ok -> _state.update { it.copy(flushing = false, reports = r.value) }
                is Outcome.Failed -> _state.update { it.copy(flushing = false, error = r.error) }
            }
            refresh()
        }
    }
}
