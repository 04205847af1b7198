package org.accolade.app.core

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import uniffi.accolade_ffi.AccoladeClientInterface
import uniffi.accolade_ffi.User
import uniffi.accolade_ffi.UserRole

/** The app's screens. The Compose layer draws [Navigator.current]; nothing else decides navigation. */
sealed interface Screen {
    data object SignIn : Screen
    data object Badges : Screen
    data class BadgeDetail(val awardId: String) : Screen
    data object Nominate : Screen
    data object Scan : Screen
    data class PeerOffer(val badgeClassId: String) : Screen
    data object Queue : Screen
    data object Notifications : Screen
}

/** A back stack of [Screen]s (never empty). */
class Navigator(start: Screen) {
    private val _stack = MutableStateFlow(listOf(start))
    val stack: StateFlow<List<Screen>> = _stack.asStateFlow()
    val current: Screen get() = _stack.value.last()

    fun push(screen: Screen) = _stack.update { if (it.last() == screen) it else it + screen }

    /** Pops one screen; false when already at the root (the system back then leaves the app). */
    fun back(): Boolean {
        var popped = false
        _stack.update { if (it.size > 1) { popped = true; it.dropLast(1) } else it }
        return popped
    }

    fun reset(screen: Screen) { _stack.value = listOf(screen) }
}

/** Whether the server answered lately: drives the offline banner. */
enum class Connection { UNKNOWN, ONLINE, OFFLINE }

/** The screens a signed-in person starts on: teachers on their queue, students on their badges. */
fun homeFor(user: User): Screen = when (user.role) {
    UserRole.TEACHER, UserRole.ADMIN -> Screen.Queue
    UserRole.STUDENT -> Screen.Badges
}

/** What a call to the client gave: a value, or a failure already turned into a [UserError]. */
sealed interface Outcome<out T> {
    data class Ok<T>(val value: T) : Outcome<T>
    data class Failed(val error: UserError) : Outcome<Nothing>
}

/**
 * The root of the app logic: one per process. Owns the client, the navigation, the signed-in
 * user and the connection state, and applies the app-wide reactions to errors (signed out →
 * sign-in screen; offline → banner). Every view model calls the client through [call].
 *
 * @param scope where view models launch work (Android: the activity's `lifecycleScope` or a
 *   `viewModelScope`; tests: a `runBlocking` scope).
 */
class AppModel(val client: AccoladeClientInterface, val scope: CoroutineScope) {
    private val _user = MutableStateFlow(client.currentUser())
    /** The signed-in user; null when signed out. */
    val user: StateFlow<User?> = _user.asStateFlow()

    val navigator = Navigator(_user.value?.let(::homeFor) ?: Screen.SignIn)

    private val _connection = MutableStateFlow(Connection.UNKNOWN)
    val connection: StateFlow<Connection> = _connection.asStateFlow()

    /** True while the offline banner should show. */
    val offline: Boolean get() = _connection.value == Connection.OFFLINE

    /**
     * Runs one client call, mapping failures and applying their app-wide effects. [cached] tells
     * whether a value came from the phone's store (then the server was not reached).
     */
    suspend fun <T> call(cached: (T) -> Boolean = { false }, block: suspend (AccoladeClientInterface) -> T): Outcome<T> = try {
        val v = block(client)
        _connection.value = if (cached(v)) Connection.OFFLINE else Connection.ONLINE
        Outcome.Ok(v)
    } catch (e: CancellationException) {
        throw e
    } catch (e: Throwable) {
        Outcome.Failed(onError(e))
    }

    /** Maps [e] and reacts: a lost session goes back to sign-in; no connection shows the banner. */
    fun onError(e: Throwable): UserError {
        val err = e.toUserError()
        when (err.kind) {
            ErrorKind.OFFLINE -> _connection.value = Connection.OFFLINE
            ErrorKind.SIGNED_OUT -> signedOut()
            else -> _connection.value = Connection.ONLINE
        }
        return err
    }

    /** Live connection changes reported by the event stream. */
    fun setConnection(c: Connection) { _connection.value = c }

    fun signedIn(user: User) {
        _user.value = user
        navigator.reset(homeFor(user))
    }

    fun signedOut() {
        _user.value = null
        navigator.reset(Screen.SignIn)
    }
}
