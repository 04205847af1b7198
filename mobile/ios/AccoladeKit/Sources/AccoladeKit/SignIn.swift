import AccoladeFFI
import Foundation

/// The sign-in screen: e-mail/handle + password, a typed card code, or a scanned card.
@MainActor
public final class SignInViewModel: StateHolder {
    public var login = "" { didSet { error = nil; onChange?() } }
    public var password = "" { didSet { error = nil; onChange?() } }
    /// Card codes are printed `XXXX-XXXX-XXXX`; any case and spacing is accepted.
    public var cardCode = "" {
        didSet {
            let clean = String(cardCode.uppercased().filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(14))
            if clean != cardCode { cardCode = clean } else { error = nil; onChange?() }
        }
    }
    public private(set) var busy = false { didSet { onChange?() } }
    public private(set) var error: UserError? { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    private let app: AppModel

    public init(app: AppModel) { self.app = app }

    public var canSubmitPassword: Bool { !busy && !login.trimmingCharacters(in: .whitespaces).isEmpty && !password.isEmpty }
    public var canSubmitCard: Bool { !busy && cardCode.filter { $0.isLetter || $0.isNumber }.count == 12 }

    public func signInWithPassword() async {
        let (l, p) = (login.trimmingCharacters(in: .whitespaces), password)
        await submit { try await $0.signInPassword(login: l, password: p, school: nil) }
    }

    public func signInWithCard() async {
        let code = cardCode
        await submit { try await $0.signInCard(code: code) }
    }

    /// A QR read by the camera on the sign-in screen: only sign-in cards are accepted here.
    public func cardScanned(_ text: String) async {
        await submit { c in
            if case let .signedIn(user) = try await c.handleScan(text: text) { return user }
            return nil
        }
    }

    public func signOut() async {
        _ = try? await app.call { try await $0.signOut() }
        app.signedOut()
    }

    private func submit(_ body: @escaping @Sendable (any AccoladeClientProtocol) async throws -> User?) async {
        busy = true
        error = nil
        do {
            if let user = try await app.call(body) {
                password = ""
                cardCode = ""
                busy = false
                error = nil
                app.signedIn(user)
            } else {
                busy = false
                error = UserError(.invalid, "error_not_a_card", "That's not a sign-in card. Scan the card with your name on it.", field: "scan")
            }
        } catch {
            password = ""
            busy = false
            self.error = userError(error)
        }
    }
}
