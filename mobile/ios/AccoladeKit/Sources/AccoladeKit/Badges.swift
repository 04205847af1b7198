import AccoladeFFI
import Foundation

/// "My badges": newest first; served from the phone when offline.
@MainActor
public final class BadgesViewModel: StateHolder {
    public private(set) var loading = false { didSet { onChange?() } }
    public private(set) var badges: [Badge] = [] { didSet { onChange?() } }
    public private(set) var fromCache = false { didSet { onChange?() } }
    public private(set) var error: UserError? { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    private let app: AppModel

    public init(app: AppModel) { self.app = app }

    public var isEmpty: Bool { !loading && error == nil && badges.isEmpty }

    public func load() async {
        loading = true
        error = nil
        do {
            let list = try await app.call(cached: { $0.fromCache }) { try await $0.myBadges() }
            badges = list.badges
            fromCache = list.fromCache
        } catch {
            self.error = userError(error)
        }
        loading = false
    }

    /// A badge arrived live: show it at once, without a reload.
    public func awardIssued(_ b: Badge) {
        if !badges.contains(where: { $0.id == b.id }) { badges.insert(b, at: 0) }
    }

    public func awardRevoked(_ b: Badge) {
        badges = badges.map { var x = $0; if x.id == b.id { x.status = .revoked }; return x }
    }

    public func open(_ b: Badge) { app.navigator.push(.badgeDetail(awardId: b.id)) }
}

/// The sentence for a verification verdict.
public func verdictText(_ v: Verification) -> String {
    switch v.status {
    case .valid: return "Genuine: this badge checks out with the school that issued it."
    case .revoked: return "Revoked by the school" + (v.revocationReason.map { ": \($0)" } ?? ".")
    case .expired: return "Expired: this badge is no longer current."
    case .wrongRecipient: return "Genuine, but it belongs to someone else."
    case .tampered: return "Not genuine: the file doesn't match what the school issued."
    }
}

/// One badge: its baked image, sharing, and checking it on the phone.
@MainActor
public final class BadgeDetailViewModel: StateHolder {
    public let awardId: String
    public private(set) var loading = false { didSet { onChange?() } }
    public private(set) var badge: Badge? { didSet { onChange?() } }
    public private(set) var verifying = false { didSet { onChange?() } }
    public private(set) var verification: Verification? { didSet { onChange?() } }
    public private(set) var error: UserError? { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    private let app: AppModel

    public init(app: AppModel, awardId: String) {
        self.app = app
        self.awardId = awardId
    }

    /// What the share sheet sends: the hosted assertion, which any verifier can check.
    public var shareText: String? {
        badge.map { "I earned the \"\($0.name)\" badge from \($0.issuerName): \($0.assertionUrl)" }
    }

    public var verificationText: String? { verification.map(verdictText) }

    public func load() async {
        loading = true
        error = nil
        let id = awardId
        do { badge = try await app.call { try await $0.badgeDetail(awardId: id) } } catch { self.error = userError(error) }
        loading = false
    }

    /// Checks the baked image against the issuer's hosted assertion (needs a connection).
    public func verify() async {
        guard let png = badge?.bakedPng else {
            error = UserError(.notFound, "error_no_image", "The badge image hasn't downloaded yet.")
            return
        }
        verifying = true
        verification = nil
        error = nil
        do { verification = try await app.call { try await $0.verifyBadge(image: png, recipient: nil) } } catch { self.error = userError(error) }
        verifying = false
    }
}
