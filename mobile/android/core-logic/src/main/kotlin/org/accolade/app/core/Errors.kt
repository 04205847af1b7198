package org.accolade.app.core

import uniffi.accolade_ffi.ApiException

/** The kinds of failure a screen reacts to differently (mirrors `ApiError` in accolade-ffi). */
enum class ErrorKind { OFFLINE, SIGNED_OUT, NOT_ALLOWED, NOT_FOUND, CONFLICT, INVALID, SERVER }

/**
 * A failure as shown to a person.
 *
 * @property key a stable message id; the Android layer maps it to a string resource
 *   (`R.string.<key>`), so translations live in `res/values-xx/strings.xml`.
 * @property message the English text (the fallback, and what the tests check).
 * @property field the input to highlight, for [ErrorKind.INVALID].
 */
data class UserError(
    val kind: ErrorKind,
    val key: String,
    val message: String,
    val field: String? = null,
)

/**
 * Maps any failure from the FFI to what the person sees. Server details never reach the
 * screen: [ApiException] carries only the stable code, which picks the sentence.
 */
fun Throwable.toUserError(): UserError = when (this) {
    is ApiException.Offline -> UserError(
        ErrorKind.OFFLINE, "error_offline",
        "You're offline: ${reason.trimEnd('.')}. Saved badges still show, and actions are sent when you're back online.",
    )
    is ApiException.SignedOut -> UserError(ErrorKind.SIGNED_OUT, "error_signed_out", "Please sign in again.")
    is ApiException.NotAllowed -> when (code) {
        "rate_limited" -> UserError(ErrorKind.NOT_ALLOWED, "error_rate_limited", "Too many tries. Wait a minute, then try again.")
        "claim_not_open" -> UserError(ErrorKind.NOT_ALLOWED, "error_claim_not_open", "This code isn't open yet.")
        "not_in_audience" -> UserError(ErrorKind.NOT_ALLOWED, "error_not_in_audience", "This badge is for another class.")
        else -> UserError(ErrorKind.NOT_ALLOWED, "error_not_allowed", "You can't do that with your account.")
    }
    is ApiException.NotFound -> UserError(ErrorKind.NOT_FOUND, "error_not_found", "That isn't there any more.")
    is ApiException.Conflict -> conflictError(code)
    is ApiException.InvalidInput -> when (field) {
        "credentials" -> UserError(ErrorKind.INVALID, "error_credentials", "That sign-in wasn't accepted. Check it and try again.", field)
        "scan" -> UserError(ErrorKind.INVALID, "error_scan_unknown", "That isn't an Accolade code from your school.", field)
        "narrative" -> UserError(ErrorKind.INVALID, "error_invalid_narrative", "Say a bit more about why they deserve it.", field)
        "reason" -> UserError(ErrorKind.INVALID, "error_invalid_reason", "Give the nominator a reason.", field)
        // The detail sentence from the server is English-only; the field picks a translatable one.
        else -> UserError(ErrorKind.INVALID, "error_invalid", "Check ${field.replace('_', ' ')} and try again.", field)
    }
    is ApiException.Server -> UserError(ErrorKind.SERVER, "error_server", "Something went wrong on the server. Try again later.")
    else -> UserError(ErrorKind.SERVER, "error_unexpected", "Something went wrong. Try again.")
}

/** The sentence for a `Conflict` (or a failed queued action) with the server's stable code. */
fun conflictError(code: String): UserError = when (code) {
    "already_held" -> UserError(ErrorKind.CONFLICT, "error_already_held", "You already have this badge.")
    "duplicate_nomination" -> UserError(ErrorKind.CONFLICT, "error_duplicate_nomination", "You've already nominated them for this badge.")
    "already_decided" -> UserError(ErrorKind.CONFLICT, "error_already_decided", "This nomination was already decided.")
    "allowance_exceeded" -> UserError(ErrorKind.CONFLICT, "error_allowance_exceeded", "You've used all your nominations for this week.")
    "self_nomination" -> UserError(ErrorKind.CONFLICT, "error_self_nomination", "You can't nominate yourself.")
    "claim_closed" -> UserError(ErrorKind.CONFLICT, "error_claim_closed", "This code has closed.")
    "claim_limit_reached" -> UserError(ErrorKind.CONFLICT, "error_claim_limit_reached", "This code has been used up.")
    else -> UserError(ErrorKind.CONFLICT, "error_conflict", "Something changed in the meantime. Refresh and try again.")
}
