import AccoladeFFI
import Foundation

/// The kinds of failure a screen reacts to differently (mirrors `ApiError` in accolade-ffi).
public enum ErrorKind: Sendable, Equatable {
    case offline, signedOut, notAllowed, notFound, conflict, invalid, server
}

/// A failure as shown to a person.
///
/// `key` is a stable message id: the SwiftUI layer looks it up in `Localizable.xcstrings`
/// (`String(localized: key)`), falling back to the English `message`. `field` names the input
/// to highlight for `.invalid`.
public struct UserError: Sendable, Equatable, Error {
    public let kind: ErrorKind
    public let key: String
    public let message: String
    public let field: String?

    public init(_ kind: ErrorKind, _ key: String, _ message: String, field: String? = nil) {
        self.kind = kind
        self.key = key
        self.message = message
        self.field = field
    }
}

/// Maps any failure from the FFI to what the person sees. Server details never reach the
/// screen: `ApiError` carries only the stable code, which picks the sentence.
public func userError(_ error: any Error) -> UserError {
    if let e = error as? UserError { return e }
    guard let api = error as? ApiError else {
        return UserError(.server, "error_unexpected", "Something went wrong. Try again.")
    }
    switch api {
    case let .Offline(reason):
        let r = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
        return UserError(.offline, "error_offline",
                         "You're offline: \(r). Saved badges still show, and actions are sent when you're back online.")
    case .SignedOut:
        return UserError(.signedOut, "error_signed_out", "Please sign in again.")
    case let .NotAllowed(code):
        switch code {
        case "rate_limited": return UserError(.notAllowed, "error_rate_limited", "Too many tries. Wait a minute, then try again.")
        case "claim_not_open": return UserError(.notAllowed, "error_claim_not_open", "This code isn't open yet.")
        case "not_in_audience": return UserError(.notAllowed, "error_not_in_audience", "This badge is for another class.")
        default: return UserError(.notAllowed, "error_not_allowed", "You can't do that with your account.")
        }
    case .NotFound:
        return UserError(.notFound, "error_not_found", "That isn't there any more.")
    case let .Conflict(code):
        return conflictError(code)
    case let .InvalidInput(field, _):
        switch field {
        case "credentials": return UserError(.invalid, "error_credentials", "That sign-in wasn't accepted. Check it and try again.", field: field)
        case "scan": return UserError(.invalid, "error_scan_unknown", "That isn't an Accolade code from your school.", field: field)
        case "narrative": return UserError(.invalid, "error_invalid_narrative", "Say a bit more about why they deserve it.", field: field)
        case "reason": return UserError(.invalid, "error_invalid_reason", "Give the nominator a reason.", field: field)
        // The server's detail sentence is English-only; the field picks a translatable one.
        default: return UserError(.invalid, "error_invalid", "Check \(field.replacingOccurrences(of: "_", with: " ")) and try again.", field: field)
        }
    case .Server:
        return UserError(.server, "error_server", "Something went wrong on the server. Try again later.")
    }
}

/// The sentence for a `Conflict` (or a failed queued action) with the server's stable code.
public func conflictError(_ code: String) -> UserError {
    switch code {
    case "already_held": return UserError(.conflict, "error_already_held", "You already have this badge.")
    case "duplicate_nomination": return UserError(.conflict, "error_duplicate_nomination", "You've already nominated them for this badge.")
    case "already_decided": return UserError(.conflict, "error_already_decided", "This nomination was already decided.")
    case "allowance_exceeded": return UserError(.conflict, "error_allowance_exceeded", "You've used all your nominations for this week.")
    case "self_nomination": return UserError(.conflict, "error_self_nomination", "You can't nominate yourself.")
    case "claim_closed": return UserError(.conflict, "error_claim_closed", "This code has closed.")
    case "claim_limit_reached": return UserError(.conflict, "error_claim_limit_reached", "This code has been used up.")
    default: return UserError(.conflict, "error_conflict", "Something changed in the meantime. Refresh and try again.")
    }
}
