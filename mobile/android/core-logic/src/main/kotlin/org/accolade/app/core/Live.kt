package org.accolade.app.core

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import uniffi.accolade_ffi.AccoladeEvent
import uniffi.accolade_ffi.ApiErrorKind
import uniffi.accolade_ffi.EventListener
import uniffi.accolade_ffi.NominationStatus
import uniffi.accolade_ffi.TaskHandle

/** One line in the notifications list. */
data class Notice(val id: Long, val text: String, val event: AccoladeEvent)

data class LiveState(
    val running: Boolean = false,
    val connected: Boolean = false,
    val notices: List<Notice> = emptyList(),
    val unread: Int = 0,
)

/**
 * Live notifications: listens to the client's event stream while signed in, keeps a list of
 * readable notices, tells the app when the connection drops or returns, and forwards events to
 * the screens that show them ([onEvent] subscribers, e.g. the badge list and the queue).
 *
 * `onEvent` is called on a library thread; StateFlow updates are thread-safe, and the
 * subscribers only update StateFlows too, so no hop to the main thread is needed here.
 */
class LiveViewModel(private val app: AppModel, private val maxNotices: Int = 50) {
    private val _state = MutableStateFlow(LiveState())
    val state: StateFlow<LiveState> = _state.asStateFlow()
    private var handle: TaskHandle? = null
    private var nextId = 0L
    private val subscribers = mutableListOf<(AccoladeEvent) -> Unit>()

    /** Registers a screen's reaction to events (called on a library thread). */
    fun subscribe(f: (AccoladeEvent) -> Unit) = synchronized(subscribers) { subscribers += f }

    @Synchronized
    fun start() {
        if (handle != null) return
        handle = app.client.listen(object : EventListener {
            override fun onEvent(event: AccoladeEvent) = receive(event)
        })
        _state.update { it.copy(running = true) }
    }

    /** Stops listening (sign-out, app in background). Also closes the native handle. */
    @Synchronized
    fun stop() {
        handle?.let { it.cancel(); it.close() }
        handle = null
        _state.update { it.copy(running = false, connected = false) }
    }

    fun markRead() = _state.update { it.copy(unread = 0) }

    /** Handles one event; public so the Android service and tests can feed it directly. */
    fun receive(event: AccoladeEvent) {
        when (event) {
            is AccoladeEvent.Connected -> { app.setConnection(Connection.ONLINE); _state.update { it.copy(connected = true) } }
            is AccoladeEvent.Disconnected -> { app.setConnection(Connection.OFFLINE); _state.update { it.copy(connected = false) } }
            is AccoladeEvent.Stopped -> {
                _state.update { it.copy(running = false, connected = false) }
                if (event.error == ApiErrorKind.SIGNED_OUT) app.signedOut()
            }
            else -> Unit
        }
        noticeText(event)?.let { text ->
            _state.update { s ->
                val n = Notice(nextId++, text, event)
                s.copy(notices = (listOf(n) + s.notices).take(maxNotices), unread = s.unread + 1)
            }
        }
        synchronized(subscribers) { subscribers.toList() }.forEach { it(event) }
    }
}

/** The sentence a person reads for an event; null for connection bookkeeping. */
fun noticeText(e: AccoladeEvent): String? = when (e) {
    is AccoladeEvent.AwardIssued -> "You received the badge ${e.badge.name}."
    is AccoladeEvent.AwardRevoked -> "Your badge ${e.badge.name} was revoked."
    is AccoladeEvent.NominationCreated ->
        "${e.nomination.nominator.displayName} nominated ${e.nomination.nominee.displayName} for ${e.nomination.badgeName}."
    is AccoladeEvent.NominationDecided -> when (e.nomination.status) {
        NominationStatus.APPROVED -> "Your nomination of ${e.nomination.nominee.displayName} for ${e.nomination.badgeName} was approved."
        NominationStatus.REJECTED -> "Your nomination of ${e.nomination.nominee.displayName} for ${e.nomination.badgeName} was not approved" +
            (e.nomination.decisionReason?.let { ": $it" } ?: ".")
        NominationStatus.RETURNED -> "Your teacher asked you to revise your nomination for ${e.nomination.badgeName}."
        else -> null
    }
    is AccoladeEvent.ClaimCounted -> "${e.firstName} claimed a badge (${e.count} so far)."
    is AccoladeEvent.ResyncRequired -> "You were away a while: lists were refreshed."
    is AccoladeEvent.Connected, is AccoladeEvent.Disconnected, is AccoladeEvent.Stopped, is AccoladeEvent.Other -> null
}
