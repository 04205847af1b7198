// The app logic against a real `accolade serve` (started by mobile/apps-test.sh with the demo
// school on 127.0.0.1). Environment: ACCOLADE_URL, ACCOLADE_STORE_DIR, APPS_CARD_CODE (a
// 7 Maple student's typed sign-in card code), APPS_CARD_URL (another student's card QR),
// APPS_NOMINEES (two classmates' display names), ACCOLADE_TEACHER, ACCOLADE_PASSWORD, and
// APPS_SERVER_CTL_DIR: write `stop` / `start` to ctl.req there, the script answers in ctl.done.
import AccoladeFFI
import Foundation
import XCTest

@testable import AccoladeKit

private let env = ProcessInfo.processInfo.environment

private struct Timeout: Error, CustomStringConvertible { let description: String }

/// Polls (on the main actor) until `pred` holds; 20 s at most.
@MainActor
private func waitUntil(_ what: String, _ pred: @MainActor () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(20)
    while !pred() {
        if Date() > deadline { throw Timeout(description: "timed out waiting for \(what)") }
        try await Task.sleep(nanoseconds: 50_000_000)
    }
}

/// Asks the script outside the chroot to stop or start the server.
private func server(_ cmd: String) async throws {
    let dir = URL(fileURLWithPath: try XCTUnwrap(env["APPS_SERVER_CTL_DIR"]))
    let done = dir.appendingPathComponent("ctl.done")
    try? FileManager.default.removeItem(at: done)
    try Data(cmd.utf8).write(to: dir.appendingPathComponent("ctl.req.tmp"))
    try FileManager.default.moveItem(at: dir.appendingPathComponent("ctl.req.tmp"), to: dir.appendingPathComponent("ctl.req"))
    let deadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: done.path) {
        if Date() > deadline { throw Timeout(description: "server \(cmd)") }
        try await Task.sleep(nanoseconds: 100_000_000)
    }
    XCTAssertEqual(try String(contentsOf: done, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), "0", "server \(cmd)")
}

@MainActor
private func app(_ name: String) throws -> AppModel {
    let store = try XCTUnwrap(env["ACCOLADE_STORE_DIR"]) + "/swift-\(name).db"
    return AppModel(client: try AccoladeClient(serverUrl: try XCTUnwrap(env["ACCOLADE_URL"]), storePath: store))
}

final class PureLogicTests: XCTestCase {
    func testErrorMappingGivesEachCaseItsSentence() {
        let offline = userError(ApiError.Offline(reason: "rotating codes need a connection"))
        XCTAssertEqual(offline.kind, .offline)
        XCTAssertTrue(offline.message.contains("rotating codes need a connection"))
        XCTAssertEqual(userError(ApiError.SignedOut).key, "error_signed_out")
        XCTAssertEqual(userError(ApiError.NotAllowed(code: "rate_limited")).key, "error_rate_limited")
        XCTAssertEqual(userError(ApiError.NotAllowed(code: "forbidden")).key, "error_not_allowed")
        XCTAssertEqual(userError(ApiError.Conflict(code: "already_held")).key, "error_already_held")
        XCTAssertEqual(userError(ApiError.Conflict(code: "something_new")).key, "error_conflict")
        XCTAssertEqual(userError(ApiError.NotFound).kind, .notFound)
        XCTAssertEqual(userError(ApiError.Server).kind, .server)
        XCTAssertEqual(userError(CocoaError(.fileNoSuchFile)).key, "error_unexpected")
    }

    func testOutboxAndVerificationSentences() {
        let lines = failureLines([
            ActionReport(actionId: "a", kind: "nominate", succeeded: false, errorCode: "duplicate_nomination"),
            ActionReport(actionId: "b", kind: "decide", succeeded: true, errorCode: nil),
            ActionReport(actionId: "c", kind: "claim", succeeded: false, errorCode: "something_new"),
        ])
        XCTAssertEqual(lines, [
            "Your nominate could not be sent: You've already nominated them for this badge.",
            "Your claim could not be sent: something_new",
        ])
        var v = Verification(status: .revoked, assertionUrl: "https://x/a", issuedOn: nil, expires: nil, revocationReason: "Issued by mistake")
        XCTAssertEqual(verdictText(v), "Revoked by the school: Issued by mistake")
        v.revocationReason = nil
        XCTAssertEqual(verdictText(v), "Revoked by the school.")
    }

    // XCTest on Linux cannot discover main-actor test methods: hop from a plain async one.
    func testNavigatorBackStack() async { await navigatorBackStack() }
}

@MainActor
private func navigatorBackStack() {
    let nav = Navigator(start: .signIn)
    var changes = 0
    nav.onChange = { changes += 1 }
    nav.push(.badges)
    nav.push(.badges)
    nav.push(.badgeDetail(awardId: "x"))
    XCTAssertEqual(nav.stack, [.signIn, .badges, .badgeDetail(awardId: "x")])
    XCTAssertEqual(nav.path, [.badges, .badgeDetail(awardId: "x")])
    nav.path = [.queue]
    XCTAssertEqual(nav.stack, [.signIn, .queue])
    XCTAssertTrue(nav.back())
    XCTAssertFalse(nav.back())
    XCTAssertEqual(changes, 4)
}

/// One scenario in order (XCTest does not order test methods): student and teacher on one
/// server, online and then offline.
final class ServerScenarioTests: XCTestCase {
    func testStudentAndTeacherThroughTheViewModels() async throws { try await studentAndTeacherScenario() }
}

@MainActor
private func studentAndTeacherScenario() async throws {
    let nominees = try XCTUnwrap(env["APPS_NOMINEES"]).split(separator: ",").map(String.init)
    let student = try app("student")
    let teacher = try app("teacher")
    let live = LiveViewModel(app: student)
    let badges = BadgesViewModel(app: student)
    live.subscribe { e in
        if case let .awardIssued(b) = e { badges.awardIssued(b) }
    }

    // Sign in: a wrong password, then the right one (teacher → queue).
    let tSignIn = SignInViewModel(app: teacher)
    tSignIn.login = try XCTUnwrap(env["ACCOLADE_TEACHER"])
    tSignIn.password = "not-the-password"
    await tSignIn.signInWithPassword()
    XCTAssertEqual(tSignIn.error?.key, "error_credentials")
    XCTAssertEqual(tSignIn.password, "")
    XCTAssertEqual(teacher.navigator.current, .signIn)
    tSignIn.password = try XCTUnwrap(env["ACCOLADE_PASSWORD"])
    await tSignIn.signInWithPassword()
    XCTAssertNil(tSignIn.error)
    XCTAssertEqual(teacher.user?.role, .teacher)
    XCTAssertEqual(teacher.navigator.current, .queue)

    // A student types their card code (any case) → badges.
    let sSignIn = SignInViewModel(app: student)
    sSignIn.cardCode = try XCTUnwrap(env["APPS_CARD_CODE"]).lowercased()
    XCTAssertTrue(sSignIn.canSubmitCard, sSignIn.cardCode)
    await sSignIn.signInWithCard()
    XCTAssertNil(sSignIn.error)
    XCTAssertEqual(student.user?.role, .student)
    XCTAssertEqual(student.navigator.current, .badges)

    // Another student scans their card on the sign-in screen; a non-card QR is refused.
    let other = try app("card-scan")
    let oSignIn = SignInViewModel(app: other)
    await oSignIn.cardScanned("https://elsewhere.example/signin/card/AAAABBBBCCCC")
    XCTAssertEqual(oSignIn.error?.kind, .invalid)
    await oSignIn.cardScanned(try XCTUnwrap(env["APPS_CARD_URL"]))
    XCTAssertNil(oSignIn.error)
    XCTAssertEqual(other.navigator.current, .badges)
    await oSignIn.signOut()
    XCTAssertNil(other.user)

    // Live: connected, no banner.
    live.start()
    try await waitUntil("connected") { live.connected }
    XCTAssertEqual(student.connection, .online)

    // Scan the projector's QR: claimed, opened, noticed live.
    let code = try await teacher.client.claimCodes().first { $0.mode == "rotating" }
    let qr = try await teacher.client.claimCodeQr(claimCodeId: try XCTUnwrap(code).id)
    let url = try XCTUnwrap(qr.url)
    let scan = ScanViewModel(app: student)
    let handled = await scan.scanned(url)
    XCTAssertTrue(handled)
    guard case let .claimed(claimed, alreadyClaimed, _)? = scan.outcome else { return XCTFail("not claimed: \(String(describing: scan.error))") }
    XCTAssertFalse(alreadyClaimed)
    XCTAssertEqual(scan.result, "You got the badge \(claimed.name)!")
    XCTAssertEqual(student.navigator.current, .badgeDetail(awardId: claimed.id))
    XCTAssertFalse(scan.accepts(url), "the same code is handled once")
    try await waitUntil("award notice") { live.notices.contains { if case .awardIssued = $0.event { return true }; return false } }
    try await waitUntil("badge in the list") { badges.badges.contains { $0.id == claimed.id } }
    student.navigator.back()
    let foreign = ScanViewModel(app: student)
    await foreign.scanned("https://elsewhere.example/c/s123")
    XCTAssertEqual(foreign.error?.key, "error_scan_unknown")

    // My badges and the detail: baked PNG, share text, verified genuine.
    await badges.load()
    XCTAssertNil(badges.error)
    XCTAssertFalse(badges.fromCache)
    XCTAssertEqual(try XCTUnwrap(badges.badges.first { $0.id == claimed.id }?.bakedPng).prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
    let detail = BadgeDetailViewModel(app: student, awardId: claimed.id)
    await detail.load()
    XCTAssertTrue(try XCTUnwrap(detail.shareText).hasSuffix(try XCTUnwrap(detail.badge).assertionUrl))
    await detail.verify()
    XCTAssertEqual(detail.verification?.status, .valid)
    XCTAssertTrue(try XCTUnwrap(detail.verificationText).hasPrefix("Genuine"))

    // Nominate two classmates.
    let nom = NominateViewModel(app: student)
    await nom.load()
    XCTAssertNil(nom.error)
    XCTAssertEqual(nom.problems, [.noBadge, .noClassmate, .narrativeTooShort])
    // Code Breaker is for Y9 Computing only (see the report on nominable_badges).
    let kind = try XCTUnwrap(nom.badges.first { $0.name == "Kind Classmate" }).id
    nom.badgeId = kind
    for n in nominees { nom.toggle(try XCTUnwrap(nom.classmates.first { $0.displayName == n }).id) }
    nom.narrative = "Short"
    XCTAssertFalse(nom.canSend)
    nom.narrative = "Stayed after the maths club to help me with fractions."
    await nom.send()
    XCTAssertNil(nom.error)
    XCTAssertTrue(try XCTUnwrap(nom.done).hasPrefix("Sent 2 nominations"), nom.done ?? "")

    // The teacher approves one and rejects the other with a reason.
    let queue = QueueViewModel(app: teacher)
    await queue.load()
    let mine = queue.items.filter { $0.badgeClassId == kind && $0.nominator.id == student.user?.id }
    XCTAssertEqual(mine.count, 2)
    guard mine.count == 2 else { return }
    await queue.approve(mine[0].id)
    XCTAssertEqual(queue.message, "Approved \(mine[0].nominee.displayName) (Kind Classmate).")
    queue.startReject(mine[1].id)
    queue.reason = "no"
    let tooShort = await queue.confirmReject()
    XCTAssertFalse(tooShort)
    queue.reason = "Please say what they did and when."
    let sent = await queue.confirmReject()
    XCTAssertTrue(sent)
    XCTAssertNil(queue.error)
    XCTAssertFalse(queue.items.contains { $0.id == mine[0].id || $0.id == mine[1].id })
    await queue.approve(mine[0].id)
    XCTAssertEqual(queue.error?.key, "error_already_decided")
    try await waitUntil("both decisions noticed") {
        live.notices.filter { if case let .nominationDecided(n) = $0.event { return n.badgeClassId == kind }; return false }.count == 2
    }
    XCTAssertTrue(live.notices.contains { $0.text.hasSuffix("was not approved: Please say what they did and when.") })

    // A peer offer QR, valid about ten minutes.
    let offer = PeerOfferViewModel(app: student, badgeClassId: kind)
    await offer.create()
    XCTAssertTrue(try XCTUnwrap(offer.offer).qrSvg.contains("<svg"))
    XCTAssertTrue((60...600).contains(offer.secondsLeft), "\(offer.secondsLeft)")

    // Offline: a nomination the teacher then decides offline (the rejected classmate again,
    // now with a better reason).
    nom.badgeId = kind
    nom.toggle(mine[1].nominee.id)
    nom.narrative = "Lent me a coat on the cold school trip to the museum."
    await nom.send()
    XCTAssertNil(nom.error)
    await queue.load()
    let pending = try XCTUnwrap(queue.items.first { $0.badgeClassId == kind && $0.nominator.id == student.user?.id }).id

    try await server("stop")
    await badges.load()
    XCTAssertTrue(badges.fromCache)
    XCTAssertTrue(badges.badges.contains { $0.id == claimed.id })
    XCTAssertTrue(student.offline, "offline banner")
    try await waitUntil("disconnected") { !live.connected }
    let offlineSignIn = SignInViewModel(app: try app("offline"))
    offlineSignIn.login = "someone@demo.example.org"
    offlineSignIn.password = "whatever"
    await offlineSignIn.signInWithPassword()
    XCTAssertEqual(offlineSignIn.error?.kind, .offline)
    XCTAssertTrue(try XCTUnwrap(offlineSignIn.error).message.hasPrefix("You're offline"))

    nom.badgeId = try XCTUnwrap(nom.badges.first { $0.name == "Team Player" }).id
    nom.toggle(mine[0].nominee.id)
    nom.narrative = "Kept our group going on the Moon landing poster."
    await nom.send()
    XCTAssertEqual(nom.done, "Saved. It will be sent when you're back online.")
    await queue.load()
    XCTAssertTrue(queue.fromCache)
    await queue.approve(pending)
    XCTAssertTrue(queue.pendingSync.contains(pending))
    XCTAssertTrue(teacher.offline)
    let outbox = OutboxViewModel(app: student)
    outbox.refresh()
    XCTAssertEqual(outbox.queued.map(\.kind), ["nominate"])

    try await server("start")
    await outbox.flush()
    XCTAssertEqual(outbox.reports.map(\.succeeded), [true])
    XCTAssertTrue(outbox.queued.isEmpty)
    let teacherOutbox = OutboxViewModel(app: teacher)
    await teacherOutbox.flush()
    XCTAssertEqual(teacherOutbox.reports.map(\.kind), ["decide"])
    XCTAssertTrue(teacherOutbox.failures.isEmpty, "\(teacherOutbox.failures)")
    try await waitUntil("reconnected") { live.connected }
    try await waitUntil("offline approval noticed") {
        live.notices.contains { if case let .nominationDecided(n) = $0.event { return n.id == pending && n.status == .approved }; return false }
    }
    await badges.load()
    XCTAssertFalse(badges.fromCache)
    XCTAssertFalse(student.offline, "banner gone")

    // Sign out: back to sign-in, and a signed-out call stays there.
    live.stop()
    await sSignIn.signOut()
    XCTAssertEqual(student.navigator.current, .signIn)
    await badges.load()
    XCTAssertEqual(badges.error?.kind, .signedOut)
    await tSignIn.signOut()
}
