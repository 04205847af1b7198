import AccoladeFFI
import Foundation

/// Why a nomination can't be sent yet (checked before any network call).
public enum NominateProblem: Sendable, Hashable { case noBadge, noClassmate, narrativeTooShort, narrativeTooLong }

/// "Nominate a classmate": pick a badge, one or more classmates, and say why.
@MainActor
public final class NominateViewModel: StateHolder {
    /// A reason of a few words at least: teachers decide on it.
    public static let narrativeMin = 10
    /// The server's limit for a narrative.
    public static let narrativeMax = 2000

    public private(set) var loading = false { didSet { onChange?() } }
    public private(set) var badges: [BadgeClassInfo] = [] { didSet { onChange?() } }
    public private(set) var classmates: [Person] = [] { didSet { onChange?() } }
    public var badgeId: String? { didSet { done = nil; error = nil; onChange?() } }
    public private(set) var nomineeIds: Set<String> = [] { didSet { onChange?() } }
    public var narrative = "" { didSet { onChange?() } }
    public private(set) var sending = false { didSet { onChange?() } }
    /// Set after a send: what happened, for a confirmation line.
    public private(set) var done: String? { didSet { onChange?() } }
    public private(set) var error: UserError? { didSet { onChange?() } }
    public var onChange: (@MainActor () -> Void)?
    private let app: AppModel

    public init(app: AppModel) { self.app = app }

    public var problems: Set<NominateProblem> {
        var p = Set<NominateProblem>()
        if badgeId == nil { p.insert(.noBadge) }
        if nomineeIds.isEmpty { p.insert(.noClassmate) }
        let n = narrative.trimmingCharacters(in: .whitespacesAndNewlines).count
        if n < Self.narrativeMin { p.insert(.narrativeTooShort) }
        if n > Self.narrativeMax { p.insert(.narrativeTooLong) }
        return p
    }

    public var canSend: Bool { !sending && problems.isEmpty }

    public func load() async {
        loading = true
        error = nil
        do {
            badges = try await app.call { try await $0.nominableBadges() }
            classmates = try await app.call { try await $0.classmates() }.sorted { $0.displayName < $1.displayName }
        } catch {
            self.error = userError(error)
        }
        loading = false
    }

    public func toggle(_ id: String) {
        if nomineeIds.contains(id) { nomineeIds.remove(id) } else { nomineeIds.insert(id) }
        done = nil
        error = nil
    }

    public func send() async {
        guard canSend, let badge = badgeId else { return }
        let ids = Array(nomineeIds)
        let text = narrative.trimmingCharacters(in: .whitespacesAndNewlines)
        sending = true
        error = nil
        done = nil
        do {
            switch try await app.call({ try await $0.nominate(badgeClassId: badge, nomineeIds: ids, narrative: text, evidenceUrl: nil) }) {
            case let .sent(nominations, remaining):
                let n = nominations.count
                done = "Sent \(n == 1 ? "1 nomination" : "\(n) nominations") to your teacher. You can make \(remaining) more this week."
            case .queued:
                app.setConnection(.offline)
                done = "Saved. It will be sent when you're back online."
            }
            nomineeIds = []
            narrative = ""
        } catch {
            self.error = userError(error)
        }
        sending = false
    }
}
