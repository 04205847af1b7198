import AccoladeFFI
import Foundation

/// The app's screens. The SwiftUI layer draws `Navigator.current`; nothing else decides navigation.
public enum Screen: Hashable, Sendable {
    case signIn, badges, badgeDetail(awardId: String), nominate, scan, peerOffer(badgeClassId: String), queue, notifications
}

/// Something whose state the UI redraws from: `onChange` is called after every change.
@MainActor
public protocol StateHolder: AnyObject {
    var onChange: (@MainActor () -> Void)? { get set }
}

/// A back stack of screens (never empty).
@MainActor
public final class Navigator: StateHolder {
    public private(set) var stack: [Screen] { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    public var current: Screen { stack[stack.count - 1] }

    public init(start: Screen) { stack = [start] }

    public func push(_ s: Screen) { if current != s { stack.append(s) } }

    /// Pops one screen; false at the root.
    @discardableResult
    public func back() -> Bool {
        guard stack.count > 1 else { return false }
        stack.removeLast()
        return true
    }

    public func reset(_ s: Screen) { stack = [s] }

    /// For `NavigationStack(path:)`: the screens above the root.
    public var path: [Screen] {
        get { Array(stack.dropFirst()) }
        set { stack = [stack[0]] + newValue }
    }
}

/// Whether the server answered lately: drives the offline banner.
public enum Connection: Sendable { case unknown, online, offline }

/// Where a signed-in person starts: teachers on their queue, students on their badges.
public func home(for user: User) -> Screen {
    switch user.role {
    case .teacher, .admin: return .queue
    case .student: return .badges
    }
}

/// The root of the app logic: owns the client, the navigation, the signed-in user and the
/// connection state, and applies the app-wide reactions to errors (signed out → sign-in
/// screen; offline → banner). Every view model calls the client through `call`.
@MainActor
public final class AppModel: StateHolder {
    public let client: any AccoladeClientProtocol
    public let navigator: Navigator
    public private(set) var user: User? { didSet { onChange?() } }
    public private(set) var connection: Connection = .unknown { didSet { if connection != oldValue { onChange?() } } }
    public var onChange: (@MainActor () -> Void)?

    /// True while the offline banner should show.
    public var offline: Bool { connection == .offline }

    public init(client: any AccoladeClientProtocol) {
        self.client = client
        let u = client.currentUser()
        user = u
        navigator = Navigator(start: u.map(home(for:)) ?? .signIn)
    }

    /// Runs one client call, mapping failures (thrown as `UserError`) and applying their effects.
    /// `cached` tells whether a value came from the phone's store (the server was not reached).
    public func call<T: Sendable>(
        cached: (T) -> Bool = { _ in false },
        _ body: @Sendable (any AccoladeClientProtocol) async throws -> T
    ) async throws(UserError) -> T {
        do {
            let v = try await body(client)
            connection = cached(v) ? .offline : .online
            return v
        } catch {
            throw handle(error)
        }
    }

    /// Maps `error` and reacts: a lost session goes back to sign-in; no connection shows the banner.
    @discardableResult
    public func handle(_ error: any Error) -> UserError {
        let e = userError(error)
        switch e.kind {
        case .offline: connection = .offline
        case .signedOut: signedOut()
        default: connection = .online
        }
        return e
    }

    public func setConnection(_ c: Connection) { connection = c }

    public func signedIn(_ u: User) {
        user = u
        navigator.reset(home(for: u))
    }

    public func signedOut() {
        user = nil
        navigator.reset(.signIn)
    }
}
