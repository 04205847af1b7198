import AccoladeFFI
import Foundation

/// The camera screen: whatever Accolade QR is read, `handleScan` acts on it.
///
/// The camera reports the same QR many times a second, so a text is handled once until
/// another is seen (or `rearm()` is called).
@MainActor
public final class ScanViewModel: StateHolder {
    public private(set) var busy = false { didSet { onChange?() } }
    /// The last result as a sentence, e.g. "You got the badge Star Helper!".
    public private(set) var result: String? { didSet { onChange?() } }
    public private(set) var outcome: ScanOutcome? { didSet { onChange?() } }
    public private(set) var error: UserError? { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    private var lastText: String?
    private let app: AppModel

    public init(app: AppModel) { self.app = app }

    /// Should this decoded frame be handled? False for repeats and while busy.
    public func accepts(_ text: String) -> Bool {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return !t.isEmpty && t != lastText && !busy
    }

    /// Called for every decoded frame; returns false when the text was skipped.
    @discardableResult
    public func scanned(_ text: String) async -> Bool {
        guard accepts(text) else { return false }
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        lastText = t
        busy = true
        result = nil
        outcome = nil
        error = nil
        do {
            route(try await app.call { try await $0.handleScan(text: t) })
        } catch {
            self.error = userError(error)
        }
        busy = false
        return true
    }

    /// Lets the same code be scanned again (e.g. after "Try again").
    public func rearm() {
        lastText = nil
        error = nil
    }

    private func route(_ o: ScanOutcome) {
        switch o {
        case let .claimed(badge, alreadyClaimed, _):
            app.navigator.push(.badgeDetail(awardId: badge.id))
            result = alreadyClaimed ? "You already have \(badge.name)." : "You got the badge \(badge.name)!"
        case .claimQueued:
            app.setConnection(.offline)
            result = "Saved. The badge will be claimed when you're back online."
        case let .offerAccepted(n):
            result = "\(n.nominator.displayName) nominated you for \(n.badgeName)."
        case let .signedIn(user):
            app.signedIn(user)
            result = "Signed in as \(user.displayName)."
        }
        outcome = o
    }
}

/// "Show to give": a QR a classmate scans to receive a nomination for the badge.
@MainActor
public final class PeerOfferViewModel: StateHolder {
    public let badgeClassId: String
    public private(set) var loading = false { didSet { onChange?() } }
    public private(set) var offer: PeerOffer? { didSet { onChange?() } }
    public private(set) var secondsLeft = 0 { didSet { onChange?() } }
    public private(set) var error: UserError? { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    private let app: AppModel
    private let now: @MainActor () -> Date

    public init(app: AppModel, badgeClassId: String, now: @escaping @MainActor () -> Date = { Date() }) {
        self.app = app
        self.badgeClassId = badgeClassId
        self.now = now
    }

    public var expired: Bool { offer != nil && secondsLeft <= 0 }

    public func create() async {
        loading = true
        error = nil
        let id = badgeClassId
        do {
            offer = try await app.call { try await $0.createPeerOffer(badgeClassId: id) }
            tick()
        } catch {
            self.error = userError(error)
        }
        loading = false
    }

    /// Called once a second by the screen to count down to expiry.
    public func tick() {
        guard let o = offer else { return }
        secondsLeft = max(0, Int(o.expiresAt.timeIntervalSince(now()).rounded(.down)))
    }
}
