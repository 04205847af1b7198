package org.accolade.app.core

import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.accolade_ffi.ScanOutcome

/** The sign-in screen: e-mail/handle + password, a typed card code, or a scanned card. */
data class SignInState(
    val login: String = "",
    val password: String = "",
    val cardCode: String = "",
    val busy: Boolean = false,
    val error: UserError? = null,
) {
    val canSubmitPassword: Boolean get() = !busy && login.isNotBlank() && password.isNotEmpty()
    val canSubmitCard: Boolean get() = !busy && cardCode.count { it.isLetterOrDigit() } == 12
}

class SignInViewModel(private val app: AppModel) {
    private val _state = MutableStateFlow(SignInState())
    val state: StateFlow<SignInState> = _state.asStateFlow()

    fun setLogin(v: String) = _state.update { it.copy(login = v.trim(), error = null) }
    fun setPassword(v: String) = _state.update { it.copy(password = v, error = null) }

    /** Card codes are printed as `XXXX-XXXX-XXXX`; accept any case and spacing. */
    fun setCardCode(v: String) = _state.update {
        it.copy(cardCode = v.uppercase().filter { c -> c.isLetterOrDigit() || c == '-' }.take(14), error = null)
    }

    fun signInWithPassword(): Job = submit { c ->
        val s = _state.value
        c.signInPassword(s.login, s.password, null)
    }

    fun signInWithCard(): Job = submit { c -> c.signInCard(_state.value.cardCode) }

    /** A QR read by the camera on the sign-in screen: only sign-in cards are accepted here. */
    fun onCardScanned(text: String): Job = submit { c ->
        when (val r = c.handleScan(text)) {
            is ScanOutcome.SignedIn -> r.user
            else -> null
        }
    }

    private fun submit(block: suspend (uniffi.accolade_ffi.AccoladeClientInterface) -> uniffi.accolade_ffi.User?): Job {
        _state.update { it.copy(busy = true, error = null) }
        return app.scope.launch {
            when (val r = app.call(block = block)) {
                is Outcome.Ok -> {
                    val user = r.value
                    if (user == null) {
                        _state.update {
                            it.copy(busy = false, error = UserError(ErrorKind.INVALID, "error_not_a_card", "That's not a sign-in card. Scan the card with your name on it.", "scan"))
                        }
                    } else {
                        _state.value = SignInState()
                        app.signedIn(user)
                    }
                }
                is Outcome.Failed -> _state.update { it.copy(busy = false, password = "", error = r.error) }
            }
        }
    }

    fun signOut(): Job = app.scope.launch {
        app.call { it.signOut() }
        app.signedOut()
    }
}
