// The mobile scenario through the generated Swift bindings (Swift 6 language mode), against a
// real server (see run.sh for the environment). Prints "N passed, N failed"; exits 1 on failure.

import Foundation

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func check(_ ok: Bool, _ what: String, line: Int = #line) throws {
    if !ok { throw Failure(description: "line \(line): \(what)") }
}

func env(_ name: String) throws -> String {
    guard let v = ProcessInfo.processInfo.environment[name] else { throw Failure(description: "\(name) is not set") }
    return v
}

/// Events arrive on a library thread; a lock guards the list.
final class Collector: EventListener, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [AccoladeEvent] = []

    func onEvent(event: AccoladeEvent) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    /// Takes every event received so far (synchronous: NSLock may not be used across awaits).
    private func takeAll() -> [AccoladeEvent] {
        lock.lock()
        defer { lock.unlock() }
        let batch = events
        events.removeAll()
        return batch
    }

    private func putBack(_ rest: ArraySlice<AccoladeEvent>) {
        lock.lock()
        defer { lock.unlock() }
        events.insert(contentsOf: rest, at: 0)
    }

    /// Waits for an event matching `pred`, consuming the ones before it.
    func waitFor(seconds: Double = 20, _ pred: (AccoladeEvent) -> Bool) async throws -> AccoladeEvent {
        let deadline = Date().addingTimeInterval(seconds)
        var seen: [AccoladeEvent] = []
        while Date() < deadline {
            let batch = takeAll()
            for (i, ev) in batch.enumerated() {
                seen.append(ev)
                if pred(ev) {
                    putBack(batch[(i + 1)...])
                    return ev
                }
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw Failure(description: "no matching event within \(seconds)s; saw \(seen)")
    }
}

func scenario() async throws {
    let url = try env("ACCOLADE_URL")
    let store = try env("ACCOLADE_STORE_DIR")
    let teacher = try AccoladeClient(serverUrl: url, storePath: "\(store)/swift-teacher.db")
    let t = try await teacher.signInPassword(login: try env("ACCOLADE_TEACHER"), password: try env("ACCOLADE_PASSWORD"), school: nil)
    try check(t.role == .teacher, "teacher role")

    guard let code = try await teacher.claimCodes().first(where: { $0.mode == "rotating" }) else {
        throw Failure(description: "no rotating claim code")
    }
    let qr = try await teacher.claimCodeQr(claimCodeId: code.id)
    guard let qrUrl = qr.url else { throw Failure(description: "rotating codes have a URL") }
    try check(qrUrl.hasPrefix("\(url)/c/r") && (qr.qrSvg ?? "").contains("<svg"), "projector QR")

    let student = try AccoladeClient(serverUrl: url, storePath: "\(store)/swift-student.db")
    guard case .signedIn(let me) = try await student.handleScan(text: try env("ACCOLADE_CARD_URL")) else {
        throw Failure(description: "the sign-in card did not sign in")
    }
    try check(me.role == .student, "student role")

    let collector = Collector()
    let handle = student.listen(listener: collector)
    _ = try await collector.waitFor { if case .connected = $0 { return true } else { return false } }

    guard case .claimed(let claimedBadge, let alreadyClaimed, _) = try await student.handleScan(text: qrUrl) else {
        throw Failure(description: "the claim QR did not claim")
    }
    try check(!alreadyClaimed, "first claim")
    let issued = try await collector.waitFor { if case .awardIssued = $0 { return true } else { return false } }
    guard case .awardIssued(let issuedBadge) = issued else { throw Failure(description: "award.issued") }
    try check(issuedBadge.id == claimedBadge.id, "award.issued is the claimed badge")

    guard let badge = try await student.nominableBadges().first(where: { $0.name == "Kind Classmate" }) else {
        throw Failure(description: "Kind Classmate")
    }
    let nomineeName = try env("ACCOLADE_NOMINEE")
    guard let nominee = try await student.classmates().first(where: { $0.displayName == nomineeName }) else {
        throw Failure(description: "classmate \(nomineeName)")
    }
    guard case .sent(let nominations, _) = try await student.nominate(
        badgeClassId: badge.id, nomineeIds: [nominee.id], narrative: "Helped me fix my robot after school.", evidenceUrl: nil)
    else { throw Failure(description: "nomination not sent") }
    let nomination = nominations[0]
    try check(nomination.status == .pending, "pending")

    try check(try await teacher.queue().nominations.contains(where: { $0.id == nomination.id }), "in the queue")
    guard case .decided(let after) = try await teacher.decide(nominationId: nomination.id, decision: .approve, reason: nil) else {
        throw Failure(description: "not decided")
    }
    try check(after.status == .approved, "approved")
    let decidedEvent = try await collector.waitFor {
        if case .nominationDecided(let n) = $0 { return n.id == nomination.id } else { return false }
    }
    guard case .nominationDecided(let n) = decidedEvent else { throw Failure(description: "nomination.decided") }
    try check(n.status == .approved, "decided event says approved")

    guard let held = try await student.myBadges().badges.first(where: { $0.id == claimedBadge.id }),
          let png = held.bakedPng else { throw Failure(description: "baked PNG missing") }
    try check(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]), "PNG signature")
    try check(try await student.verifyBadge(image: png, recipient: nil).status == .valid, "valid")
    try check(try await student.verifyBadge(image: png, recipient: "someone.else@example.org").status == .wrongRecipient, "wrong recipient")

    let offer = try await student.createPeerOffer(badgeClassId: badge.id)
    try check(offer.url.hasPrefix("\(url)/o/") && offer.qrSvg.contains("<svg"), "peer offer QR")
    do {
        _ = try await student.handleScan(text: "https://elsewhere.example/c/s123")
        throw Failure(description: "a foreign QR must be refused")
    } catch ApiError.InvalidInput(let field, _) {
        try check(field == "scan", "field")
    }

    handle.cancel()
    try check(!handle.isRunning(), "cancelled")
    try await student.signOut()
    try check(student.currentUser() == nil, "signed out")
    do {
        _ = try await student.myBadges()
        throw Failure(description: "must be signed out")
    } catch ApiError.SignedOut {}
    try await teacher.signOut()
}

func offline() async throws {
    let c = try AccoladeClient(serverUrl: "http://127.0.0.1:9", storePath: nil)
    do {
        _ = try await c.signInPassword(login: "x@example.org", password: "password1", school: nil)
        throw Failure(description: "must be offline")
    } catch ApiError.Offline {}
}

var passed = 0
var failed = 0
for (name, test) in [("scenario", scenario), ("offline", offline)] as [(String, () async throws -> Void)] {
    do {
        try await test()
        passed += 1
        print("ok \(name)")
    } catch {
        failed += 1
        print("FAILED \(name): \(error)")
    }
}
print("\(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
