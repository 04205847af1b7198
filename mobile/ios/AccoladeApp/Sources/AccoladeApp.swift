import AccoladeFFI
import AccoladeKit
import SwiftUI

/// Bridges a plain AccoladeKit view model to SwiftUI: redraws whenever it reports a change.
@MainActor
final class Observed<VM: StateHolder>: ObservableObject {
    let vm: VM
    init(_ vm: VM) {
        self.vm = vm
        vm.onChange = { [weak self] in self?.objectWillChange.send() }
    }
}

/// The process-wide logic: one client (its store in Application Support), the AppModel and the
/// long-lived view models. Everything else is in AccoladeKit.
@MainActor
final class AppRoot {
    let app: AppModel
    let live: LiveViewModel
    let badges: BadgesViewModel
    let queue: QueueViewModel
    let outbox: OutboxViewModel
    let scan: ScanViewModel
    // Long-lived SwiftUI adapters of the shared view models (one each: `onChange` has one owner).
    lazy var observedBadges = Observed(badges)
    lazy var observedQueue = Observed(queue)
    lazy var observedScan = Observed(scan)
    lazy var observedLive = Observed(live)

    init() {
        let url = Bundle.main.object(forInfoDictionaryKey: "AccoladeServerURL") as? String ?? "https://badges.example.org"
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The URL is ours and the path is local: only a broken build makes this fail.
        let client = try! AccoladeClient(serverUrl: url, storePath: dir.appendingPathComponent("accolade.db").path)
        app = AppModel(client: client)
        live = LiveViewModel(app: app)
        badges = BadgesViewModel(app: app)
        queue = QueueViewModel(app: app)
        outbox = OutboxViewModel(app: app)
        scan = ScanViewModel(app: app)
        live.subscribe { [badges, queue] e in
            switch e {
            case let .awardIssued(b): badges.awardIssued(b)
            case let .awardRevoked(b): badges.awardRevoked(b)
            case let .nominationCreated(n): queue.nominationCreated(n)
            case let .nominationDecided(n): queue.nominationDecided(n)
            case .resyncRequired: Task { await badges.load(); await queue.load() }
            default: break
            }
        }
        if app.user != nil { live.start() }
    }

    /// After sign-in/out and when the connection returns: start/stop listening, flush the outbox.
    func sync() {
        if app.user == nil { live.stop(); return }
        live.start()
        if app.connection == .online {
            outbox.refresh()
            if !outbox.queued.isEmpty { Task { await outbox.flush() } }
        }
    }
}

@main
struct AccoladeApp: App {
    @StateObject private var root = Observed(AppModelHolder())

    var body: some Scene {
        WindowGroup {
            RootView(holder: root)
                // Accolade URLs opened from the camera app or a link: the same as scanning them.
                .onOpenURL { url in
                    root.vm.root.scan.rearm()
                    Task { await root.vm.root.scan.scanned(url.absoluteString) }
                }
        }
    }
}

/// Owns the AppRoot and forwards the AppModel's changes (user, connection, navigation).
@MainActor
final class AppModelHolder: StateHolder {
    let root = AppRoot()
    var onChange: (@MainActor () -> Void)?
    init() {
        root.app.onChange = { [weak self] in self?.root.sync(); self?.onChange?() }
        root.app.navigator.onChange = { [weak self] in self?.onChange?() }
    }
}
