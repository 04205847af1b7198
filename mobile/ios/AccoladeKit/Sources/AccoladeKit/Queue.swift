import AccoladeFFI
import Foundation

/// The teacher's moderation queue: approve, or reject with a reason.
@MainActor
public final class QueueViewModel: StateHolder {
    /// The nominator reads the reason: a few words at least.
    public static let reasonMin = 5

    public private(set) var loading = false { didSet { onChange?() } }
    public private(set) var items: [Nomination] = [] { didSet { onChange?() } }
    public private(set) var fromCache = false { didSet { onChange?() } }
    /// Decided offline, waiting to be sent (shown greyed with "will send").
    public private(set) var pendingSync: Set<String> = [] { didSet { onChange?() } }
    /// The nomination whose reject sheet is open, and the reason typed so far.
    public private(set) var rejecting: String? { didSet { onChange?() } }
    public var reason = "" { didSet { onChange?() } }
    public private(set) var busy: Set<String> = [] { didSet { onChange?() } }
    public private(set) var message: String? { didSet { onChange?() } }
    public private(set) var error: UserError? { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    private let app: AppModel

    public init(app: AppModel) { self.app = app }

    public var canConfirmReject: Bool {
        rejecting != nil && reason.trimmingCharacters(in: .whitespacesAndNewlines).count >= Self.reasonMin
    }

    public func load() async {
        loading = true
        error = nil
        do {
            let list = try await app.call(cached: { $0.fromCache }) { try await $0.queue() }
            fromCache = list.fromCache
            items = list.nominations.filter { !pendingSync.contains($0.id) }
        } catch {
            self.error = userError(error)
        }
        loading = false
    }

    public func approve(_ id: String) async { await decide(id, .approve, nil) }

    public func startReject(_ id: String) {
        rejecting = id
        reason = ""
        error = nil
    }

    public func cancelReject() {
        rejecting = nil
        reason = ""
    }

    /// Sends the open reject sheet; returns false (and sends nothing) until the reason is long enough.
    @discardableResult
    public func confirmReject() async -> Bool {
        guard canConfirmReject, let id = rejecting else { return false }
        let r = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        cancelReject()
        await decide(id, .reject, r)
        return true
    }

    /// A nomination arrived live: add it on top.
    public func nominationCreated(_ n: Nomination) {
        if !items.contains(where: { $0.id == n.id }) { items.insert(n, at: 0) }
    }

    /// Decided elsewhere (another teacher, the web page): drop it.
    public func nominationDecided(_ n: Nomination) { items.removeAll { $0.id == n.id } }

    private func decide(_ id: String, _ kind: DecisionKind, _ reason: String?) async {
        busy.insert(id)
        error = nil
        message = nil
        let name = items.first { $0.id == id }.map { "\($0.nominee.displayName) (\($0.badgeName))" } ?? "the nomination"
        do {
            switch try await app.call({ try await $0.decide(nominationId: id, decision: kind, reason: reason) }) {
            case .decided:
                items.removeAll { $0.id == id }
                message = kind == .approve ? "Approved \(name)." : "Rejected \(name)."
            case .queued:
                app.setConnection(.offline)
                pendingSync.insert(id)
                message = "Saved: your decision on \(name) is sent when you're back online."
            }
        } catch {
            let e = userError(error)
            // Decided elsewhere meanwhile: it no longer belongs in the queue.
            if e.key == "error_already_decided" || e.kind == .notFound { items.removeAll { $0.id == id } }
            self.error = e
        }
        busy.remove(id)
    }
}

/// Actions saved while offline, and what happened to them once sent.
@MainActor
public final class OutboxViewModel: StateHolder {
    public private(set) var queued: [QueuedAction] = [] { didSet { onChange?() } }
    public private(set) var reports: [ActionReport] = [] { didSet { onChange?() } }
    public private(set) var flushing = false { didSet { onChange?() } }
    public private(set) var error: UserError? { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    private let app: AppModel

    public init(app: AppModel) { self.app = app }

    /// One line per failed action, for a banner after a flush.
    public var failures: [String] { failureLines(reports) }

    public func refresh() {
        do { queued = try app.client.queuedActions() } catch { self.error = app.handle(error) }
    }

    /// Sends everything queued (call when the connection comes back).
    public func flush() async {
        flushing = true
        error = nil
        do { reports = try await app.call { try await $0.flushQueue() } } catch { self.error = userError(error) }
        flushing = false
        refresh()
    }
}

/// One line per failed queued action: the sentence for its refusal code, or the code itself.
public func failureLines(_ reports: [ActionReport]) -> [String] {
    reports.filter { !$0.succeeded }.map { r in
        let why = r.errorCode.map { code in
            let e = conflictError(code)
            return e.key == "error_conflict" ? code : e.message
        } ?? "unknown"
        return "Your \(r.kind) could not be sent: \(why)"
    }
}
