import AccoladeFFI
import Foundation

/// One line in the notifications list.
public struct Notice: Sendable, Identifiable, Equatable {
    public let id: Int
    public let text: String
    public let event: AccoladeEvent
}

/// The sentence a person reads for an event; nil for connection bookkeeping.
public func noticeText(_ e: AccoladeEvent) -> String? {
    switch e {
    case let .awardIssued(b): return "You received the badge \(b.name)."
    case let .awardRevoked(b): return "Your badge \(b.name) was revoked."
    case let .nominationCreated(n):
        return "\(n.nominator.displayName) nominated \(n.nominee.displayName) for \(n.badgeName)."
    case let .nominationDecided(n):
        switch n.status {
        case .approved: return "Your nomination of \(n.nominee.displayName) for \(n.badgeName) was approved."
        case .rejected:
            return "Your nomination of \(n.nominee.displayName) for \(n.badgeName) was not approved"
                + (n.decisionReason.map { ": \($0)" } ?? ".")
        case .returned: return "Your teacher asked you to revise your nomination for \(n.badgeName)."
        default: return nil
        }
    case let .claimCounted(_, count, firstName): return "\(firstName) claimed a badge (\(count) so far)."
    case .resyncRequired: return "You were away a while: lists were refreshed."
    case .connected, .disconnected, .stopped, .other: return nil
    }
}

/// Receives events on a library thread and hands them, in order, to an AsyncStream.
private final class StreamListener: EventListener {
    let continuation: AsyncStream<AccoladeEvent>.Continuation
    init(_ c: AsyncStream<AccoladeEvent>.Continuation) { continuation = c }
    func onEvent(event: AccoladeEvent) { continuation.yield(event) }
}

/// Live notifications: listens to the client's event stream while signed in, keeps a list of
/// readable notices, tells the app when the connection drops or returns, and forwards events
/// to the screens that show them (`subscribe`, e.g. the badge list and the queue).
///
/// Events arrive on a library thread; they go through an AsyncStream (which keeps their order)
/// to the main actor.
@MainActor
public final class LiveViewModel: StateHolder {
    public private(set) var running = false { didSet { onChange?() } }
    public private(set) var connected = false { didSet { onChange?() } }
    public private(set) var notices: [Notice] = [] { didSet { onChange?() } }
    public private(set) var unread = 0 { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    private let app: AppModel
    private let maxNotices: Int
    private var handle: TaskHandle?
    private var pump: Task<Void, Never>?
    private var nextId = 0
    private var subscribers: [@MainActor (AccoladeEvent) -> Void] = []

    public init(app: AppModel, maxNotices: Int = 50) {
        self.app = app
        self.maxNotices = maxNotices
    }

    /// Registers a screen's reaction to events (called on the main actor).
    public func subscribe(_ f: @escaping @MainActor (AccoladeEvent) -> Void) { subscribers.append(f) }

    public func start() {
        guard handle == nil else { return }
        let (stream, continuation) = AsyncStream.makeStream(of: AccoladeEvent.self)
        handle = app.client.listen(listener: StreamListener(continuation))
        pump = Task { [weak self] in
            for await e in stream { self?.receive(e) }
        }
        running = true
    }

    /// Stops listening (sign-out, app in background).
    public func stop() {
        handle?.cancel()
        handle = nil
        pump?.cancel()
        pump = nil
        running = false
        connected = false
    }

    public func markRead() { unread = 0 }

    /// Handles one event; public so previews and tests can feed it directly.
    public func receive(_ e: AccoladeEvent) {
        switch e {
        case .connected:
            app.setConnection(.online)
            connected = true
        case .disconnected:
            app.setConnection(.offline)
            connected = false
        case let .stopped(error):
            running = false
            connected = false
            if error == .signedOut { app.signedOut() }
        default: break
        }
        if let text = noticeText(e) {
            notices = Array(([Notice(id: nextId, text: text, event: e)] + notices).prefix(maxNotices))
            nextId += 1
            unread += 1
        }
        for s in subscribers { s(e) }
    }
}
