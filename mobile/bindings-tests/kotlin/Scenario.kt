// The mobile scenario through the generated Kotlin bindings on the JVM, against a real server
// (see run.sh for the environment). Prints "N passed, N failed" and exits 1 on failure.

import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.runBlocking
import uniffi.accolade_ffi.*

private fun env(name: String): String = System.getenv(name) ?: error("$name is not set")

/** Events arrive on a library thread; hand them over through a blocking queue. */
class Collector : EventListener {
    val events = LinkedBlockingQueue<AccoladeEvent>()

    override fun onEvent(event: AccoladeEvent) {
        events.put(event)
    }

    fun waitFor(timeoutSecs: Long = 20, pred: (AccoladeEvent) -> Boolean): AccoladeEvent {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSecs)
        val seen = mutableListOf<AccoladeEvent>()
        while (true) {
            val left = deadline - System.nanoTime()
            check(left > 0) { "no matching event within ${timeoutSecs}s; saw $seen" }
            val ev = events.poll(left, TimeUnit.NANOSECONDS) ?: continue
            seen.add(ev)
            if (pred(ev)) return ev
        }
    }
}

fun scenario() = runBlocking {
    val url = env("ACCOLADE_URL")
    val store = env("ACCOLADE_STORE_DIR")
    val teacher = AccoladeClient(url, "$store/kt-teacher.db")
    val t = teacher.signInPassword(env("ACCOLADE_TEACHER"), env("ACCOLADE_PASSWORD"), null)
    check(t.role == UserRole.TEACHER)

    val code = teacher.claimCodes().first { it.mode == "rotating" }
    val qr = teacher.claimCodeQr(code.id)
    val qrUrl = qr.url ?: error("rotating codes have a URL")
    check(qrUrl.startsWith("$url/c/r") && qr.qrSvg!!.contains("<svg"))

    val student = AccoladeClient(url, "$store/kt-student.db")
    val signedIn = student.handleScan(env("ACCOLADE_CARD_URL"))
    check(signedIn is ScanOutcome.SignedIn && signedIn.user.role == UserRole.STUDENT)

    val collector = Collector()
    val handle = student.listen(collector)
    collector.waitFor { it is AccoladeEvent.Connected }

    val claimed = student.handleScan(qrUrl)
    check(claimed is ScanOutcome.Claimed && !claimed.alreadyClaimed)
    val issued = collector.waitFor { it is AccoladeEvent.AwardIssued } as AccoladeEvent.AwardIssued
    check(issued.badge.id == claimed.badge.id)

    val badge = student.nominableBadges().first { it.name == "Kind Classmate" }
    val nominee = student.classmates().first { it.displayName == env("ACCOLADE_NOMINEE") }
    val sent = student.nominate(badge.id, listOf(nominee.id), "Helped me fix my robot after school.", null)
    check(sent is NominateOutcome.Sent)
    val nomination = sent.nominations.single()
    check(nomination.status == NominationStatus.PENDING)

    check(teacher.queue().nominations.any { it.id == nomination.id })
    val decided = teacher.decide(nomination.id, DecisionKind.APPROVE, null)
    check(decided is DecideOutcome.Decided && decided.nomination.status == NominationStatus.APPROVED)
    val ev = collector.waitFor { it is AccoladeEvent.NominationDecided && it.nomination.id == nomination.id }
    check((ev as AccoladeEvent.NominationDecided).nomination.status == NominationStatus.APPROVED)

    val held = student.myBadges().badges.first { it.id == claimed.badge.id }
    val png = held.bakedPng ?: error("baked PNG missing")
    check(png.size > 8 && png[1] == 'P'.code.toByte())
    check(student.verifyBadge(png, null).status == VerificationStatus.VALID)
    check(student.verifyBadge(png, "someone.else@example.org").status == VerificationStatus.WRONG_RECIPIENT)

    val offer = student.createPeerOffer(badge.id)
    check(offer.url.startsWith("$url/o/") && offer.qrSvg.contains("<svg"))
    try {
        student.handleScan("https://elsewhere.example/c/s123")
        error("a foreign QR must be refused")
    } catch (e: ApiException.InvalidInput) {
        check(e.field == "scan")
    }

    handle.cancel()
    check(!handle.isRunning())
    handle.close()
    student.signOut()
    check(student.currentUser() == null)
    try {
        student.myBadges()
        error("signed out")
    } catch (e: ApiException.SignedOut) {
    }
    teacher.signOut()
}

fun offline() = runBlocking {
    val c = AccoladeClient("http://127.0.0.1:9", null)
    try {
        c.signInPassword("x@example.org", "password1", null)
        error("must be offline")
    } catch (e: ApiException.Offline) {
    }
}

fun main() {
    var passed = 0
    var failed = 0
    for ((name, test) in listOf("scenario" to ::scenario, "offline" to ::offline)) {
        try {
            test()
            passed++
            println("ok $name")
        } catch (e: Throwable) {
            failed++
            println("FAILED $name: $e")
            e.printStackTrace()
        }
    }
    println("$passed passed, $failed failed")
    if (failed > 0) System.exit(1)
}
