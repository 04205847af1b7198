import AccoladeFFI
import AccoladeKit
import SwiftUI
import UIKit

/// Draws the logic's navigator: the root screen, and the rest as a NavigationStack path.
struct RootView: View {
    @ObservedObject var holder: Observed<AppModelHolder>
    private var root: AppRoot { holder.vm.root }

    var body: some View {
        let nav = root.app.navigator
        NavigationStack(path: Binding(get: { nav.path }, set: { nav.path = $0 })) {
            screen(nav.stack[0])
                .navigationDestination(for: Screen.self) { screen($0) }
        }
        .safeAreaInset(edge: .top) {
            if root.app.offline {
                Text("You're offline: showing what is saved on this phone.")
                    .frame(maxWidth: .infinity).padding(8).background(.yellow.opacity(0.3))
                    .accessibilityAddTraits(.updatesFrequently)
            }
        }
    }

    @ViewBuilder
    private func screen(_ s: Screen) -> some View {
        switch s {
        // Shared view models are observed through AppRoot's long-lived adapters; per-screen ones
        // are created once per screen by the view's @StateObject.
        case .signIn: SignInView(app: root.app)
        case .badges: BadgesView(model: root.observedBadges, root: root)
        case let .badgeDetail(id): BadgeDetailView(app: root.app, awardId: id)
        case .nominate: NominateView(app: root.app)
        case .scan: ScanView(model: root.observedScan)
        case let .peerOffer(id): PeerOfferView(app: root.app, badgeClassId: id)
        case .queue: QueueView(model: root.observedQueue, root: root)
        case .notifications: NotificationsView(model: root.observedLive, app: root.app)
        }
    }
}

struct ErrorLine: View {
    let error: UserError?
    var body: some View {
        // Localizable.strings may translate UserError.key; the English message is the fallback.
        if let e = error { Text(Bundle.main.localizedString(forKey: e.key, value: e.message, table: nil)).foregroundStyle(.red) }
    }
}

struct Toolbar: ViewModifier {
    let root: AppRoot
    @ObservedObject private var live: Observed<LiveViewModel>
    init(root: AppRoot) {
        self.root = root
        live = root.observedLive
    }
    func body(content: Content) -> some View {
        content.toolbar {
            Button { root.app.navigator.push(.scan) } label: { Image(systemName: "qrcode.viewfinder") }
                .accessibilityLabel("Scan a code")
            Button { root.live.markRead(); root.app.navigator.push(.notifications) } label: {
                Image(systemName: live.vm.unread > 0 ? "bell.badge" : "bell")
            }.accessibilityLabel("Notifications")
        }
    }
}

struct SignInView: View {
    @StateObject private var model: Observed<SignInViewModel>
    init(app: AppModel) { _model = StateObject(wrappedValue: Observed(SignInViewModel(app: app))) }
    var body: some View {
        let vm = BindableBox(model.vm)
        Form {
            Section("Password") {
                TextField("E-mail or username", text: vm.login).textContentType(.username).textInputAutocapitalization(.never)
                SecureField("Password", text: vm.password).textContentType(.password)
                Button("Sign in") { Task { await model.vm.signInWithPassword() } }.disabled(!model.vm.canSubmitPassword)
            }
            Section("Sign-in card") {
                TextField("Card code (XXXX-XXXX-XXXX)", text: vm.cardCode).textInputAutocapitalization(.characters)
                Button("Sign in with my card") { Task { await model.vm.signInWithCard() } }.disabled(!model.vm.canSubmitCard)
                QRScannerView { text in Task { await model.vm.cardScanned(text) } }.frame(height: 240)
            }
            if model.vm.busy { ProgressView() }
            ErrorLine(error: model.vm.error)
        }
        .navigationTitle("Accolade")
    }
}

struct BadgesView: View {
    @ObservedObject var model: Observed<BadgesViewModel>
    let root: AppRoot
    var body: some View {
        List {
            HStack {
                Button("Nominate a classmate") { root.app.navigator.push(.nominate) }
                if root.app.user?.role != .student { Button("Queue") { root.app.navigator.push(.queue) } }
            }
            ErrorLine(error: model.vm.error)
            if model.vm.isEmpty { Text("No badges yet. Scan a code in class to get your first one.") }
            ForEach(model.vm.badges, id: \.id) { b in
                Button { model.vm.open(b) } label: {
                    HStack {
                        if let png = b.bakedPng, let img = UIImage(data: png) { Image(uiImage: img).resizable().frame(width: 56, height: 56).accessibilityHidden(true) }
                        VStack(alignment: .leading) { Text(b.name); Text(b.issuerName).font(.caption) }
                    }
                }
            }
        }
        .overlay { if model.vm.loading { ProgressView() } }
        .refreshable { await model.vm.load() }
        .task { await model.vm.load() }
        .navigationTitle("My badges")
        .modifier(Toolbar(root: root))
    }
}

struct BadgeDetailView: View {
    @StateObject private var model: Observed<BadgeDetailViewModel>
    init(app: AppModel, awardId: String) { _model = StateObject(wrappedValue: Observed(BadgeDetailViewModel(app: app, awardId: awardId))) }
    var body: some View {
        ScrollView {
            VStack(spacing: 12) {
                if let b = model.vm.badge {
                    if let png = b.bakedPng, let img = UIImage(data: png) { Image(uiImage: img).resizable().scaledToFit().accessibilityLabel(b.name) }
                    Text(b.name).font(.title2)
                    Text(b.description)
                    if let n = b.narrative { Text(n).italic() }
                    HStack {
                        if let share = model.vm.shareText { ShareLink("Share", item: share) }
                        Button("Check it is genuine") { Task { await model.vm.verify() } }.disabled(model.vm.verifying)
                    }
                }
                if let v = model.vm.verificationText { Text(v) }
                ErrorLine(error: model.vm.error)
            }.padding()
        }
        .task { await model.vm.load() }
    }
}

struct NominateView: View {
    @StateObject private var model: Observed<NominateViewModel>
    let nav: Navigator
    init(app: AppModel) {
        _model = StateObject(wrappedValue: Observed(NominateViewModel(app: app)))
        nav = app.navigator
    }
    var body: some View {
        let vm = BindableBox(model.vm)
        Form {
            Picker("Badge", selection: vm.badgeId) {
                Text("Choose…").tag(String?.none)
                ForEach(model.vm.badges, id: \.id) { Text($0.name).tag(Optional($0.id)) }
            }
            Section("Classmates") {
                ForEach(model.vm.classmates, id: \.id) { p in
                    Toggle(p.displayName, isOn: Binding(get: { model.vm.nomineeIds.contains(p.id) }, set: { _ in model.vm.toggle(p.id) }))
                }
            }
            Section("Why do they deserve it?") { TextEditor(text: vm.narrative).frame(minHeight: 100) }
            Button("Send") { Task { await model.vm.send() } }.disabled(!model.vm.canSend)
            if let id = model.vm.badgeId { Button("Show to give") { nav.push(.peerOffer(badgeClassId: id)) } }
            if let done = model.vm.done { Text(done) }
            ErrorLine(error: model.vm.error)
        }
        .task { await model.vm.load() }
        .navigationTitle("Nominate")
    }
}

struct ScanView: View {
    @ObservedObject var model: Observed<ScanViewModel>
    var body: some View {
        VStack(spacing: 12) {
            QRScannerView { text in Task { await model.vm.scanned(text) } }.frame(maxHeight: 400)
            if model.vm.busy { ProgressView() }
            if let r = model.vm.result { Text(r) }
            ErrorLine(error: model.vm.error)
            if model.vm.error != nil { Button("Try again") { model.vm.rearm() } }
        }
        .padding()
        .onAppear { model.vm.rearm() }
        .navigationTitle("Scan a code")
    }
}

struct PeerOfferView: View {
    @StateObject private var model: Observed<PeerOfferViewModel>
    let client: any AccoladeClientProtocol
    init(app: AppModel, badgeClassId: String) {
        _model = StateObject(wrappedValue: Observed(PeerOfferViewModel(app: app, badgeClassId: badgeClassId)))
        client = app.client
    }
    var body: some View {
        VStack(spacing: 12) {
            if let o = model.vm.offer {
                if let png = try? client.renderQrPng(text: o.url, scale: 12), let img = UIImage(data: png) {
                    Image(uiImage: img).interpolation(.none).resizable().scaledToFit().accessibilityLabel("QR code for \(o.badgeName)")
                }
                Text(o.badgeName).font(.title3)
                if model.vm.expired {
                    Text("This code has expired.")
                    Button("New code") { Task { await model.vm.create() } }
                } else {
                    Text("Works for \(model.vm.secondsLeft) more seconds")
                }
            }
            ErrorLine(error: model.vm.error)
        }
        .padding()
        .task {
            await model.vm.create()
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                model.vm.tick()
            }
        }
    }
}

struct QueueView: View {
    @ObservedObject var model: Observed<QueueViewModel>
    let root: AppRoot
    private var nav: Navigator { root.app.navigator }
    var body: some View {
        let vm = BindableBox(model.vm)
        List {
            Button("My badges") { nav.push(.badges) }
            if let m = model.vm.message { Text(m) }
            ErrorLine(error: model.vm.error)
            if !model.vm.loading && model.vm.items.isEmpty { Text("Nothing waiting. Well done!") }
            ForEach(model.vm.items, id: \.id) { n in
                VStack(alignment: .leading, spacing: 4) {
                    Text("\(n.nominee.displayName) — \(n.badgeName)").font(.headline)
                    Text("\(n.nominator.displayName), \(n.classTitle)").font(.caption)
                    Text(n.narrative)
                    if model.vm.pendingSync.contains(n.id) {
                        Text("Will send when online").font(.caption)
                    } else {
                        HStack {
                            Button("Approve") { Task { await model.vm.approve(n.id) } }.buttonStyle(.borderedProminent)
                            Button("Reject") { model.vm.startReject(n.id) }.buttonStyle(.bordered)
                        }.disabled(model.vm.busy.contains(n.id))
                    }
                }
            }
        }
        .refreshable { await model.vm.load() }
        .task { await model.vm.load() }
        .navigationTitle("Nominations to decide")
        .modifier(Toolbar(root: root))
        .sheet(isPresented: Binding(get: { model.vm.rejecting != nil }, set: { if !$0 { model.vm.cancelReject() } })) {
            Form {
                TextField("Reason (the nominator sees it)", text: vm.reason, axis: .vertical)
                Button("Reject") { Task { await model.vm.confirmReject() } }.disabled(!model.vm.canConfirmReject)
                Button("Cancel", role: .cancel) { model.vm.cancelReject() }
            }
        }
    }
}

struct NotificationsView: View {
    @ObservedObject var model: Observed<LiveViewModel>
    let app: AppModel
    var body: some View {
        List {
            Button("Sign out") { Task { await SignInViewModel(app: app).signOut() } }
            ForEach(model.vm.notices) { Text($0.text) }
        }
        .navigationTitle("Notifications")
    }
}

/// `@Bindable` needs an Observable; this gives `vm.field` bindings over a plain view model.
@dynamicMemberLookup
@MainActor
struct BindableBox<VM: AnyObject> {
    let vm: VM
    init(_ vm: VM) { self.vm = vm }
    subscript<T>(dynamicMember key: ReferenceWritableKeyPath<VM, T>) -> Binding<T> {
        Binding(get: { vm[keyPath: key] }, set: { vm[keyPath: key] = $0 })
    }
}
