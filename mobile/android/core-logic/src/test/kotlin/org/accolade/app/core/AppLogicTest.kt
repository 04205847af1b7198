// The app logic against a real `accolade serve` (started by mobile/apps-test.sh with the demo
// school on 127.0.0.1). A plain main() with kotlin.test asserts: prints "N passed, N failed"
// and exits 1 on a failure. Environment: ACCOLADE_URL, ACCOLADE_STORE_DIR, APPS_CARD_CODE (a
// 7 Maple student's typed sign-in card code), APPS_CARD_URL (another student's card QR),
// APPS_NOMINEES (three classmates' display names, comma-separated), ACCOLADE_TEACHER,
// ACCOLADE_PASSWORD, APPS_SERVER_CTL (a script: `stop` / `start` the server, same database).
package org.accolade.app.core

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import uniffi.accolade_ffi.AccoladeClient
import uniffi.accolade_ffi.ActionReport
import uniffi.accolade_ffi.Verification
import uniffi.accolade_ffi.AccoladeEvent
import uniffi.accolade_ffi.ApiException
import uniffi.accolade_ffi.NominationStatus
import uniffi.accolade_ffi.ScanOutcome
import uniffi.accolade_ffi.UserRole
import uniffi.accolade_ffi.VerificationStatus
import java.io.File
import kotlin.system.exitProcess
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

private val env = System.getenv()
private val URL = env.getValue("ACCOLADE_URL")
private val STORE = env.getValue("ACCOLADE_STORE_DIR")
private var passed = 0
private var failed = 0

private suspend fun test(name: String, body: suspend () -> Unit) {
    try {
        body()
        passed++
        println("ok   $name")
    } catch (e: Throwable) {
        failed++
        println("FAIL $name: $e")
        e.printStackTrace(System.out)
    }
}

/** Waits (20 s at most) until the flow's value satisfies [pred]. */
private suspend fun <T> StateFlow<T>.await(what: String, pred: (T) -> Boolean): T = try {
    withTimeout(20_000) { first(pred) }
} catch (e: Exception) {
    fail("timed out waiting for $what; last value: $value")
}

private fun server(cmd: String) {
    val p = ProcessBuilder(env.getValue("APPS_SERVER_CTL"), cmd).inheritIO().start()
    assertEquals(0, p.waitFor(), "server $cmd")
}

private fun app(scope: CoroutineScope, name: String) =
    AppModel(AccoladeClient(URL, File(STORE, "kt-$name.db").path), scope)

fun main(): Unit = runBlocking {
    test("error mapping: every ApiError case has its own sentence") {
        val offline = ApiException.Offline("rotating codes need a connection").toUserError()
        assertEquals(ErrorKind.OFFLINE, offline.kind)
        assertTrue(offline.message.contains("rotating codes need a connection"), offline.message)
        assertEquals("error_signed_out", ApiException.SignedOut().toUserError().key)
        assertEquals("error_rate_limited", ApiException.NotAllowed("rate_limited").toUserError().key)
        assertEquals("error_not_allowed", ApiException.NotAllowed("forbidden").toUserError().key)
        assertEquals("error_already_held", ApiException.Conflict("already_held").toUserError().key)
        assertEquals("error_conflict", ApiException.Conflict("something_new").toUserError().key)
        assertEquals("error_credentials", ApiException.InvalidInput("credentials", "not accepted").toUserError().key)
        assertEquals("narrative", ApiException.InvalidInput("narrative", "too short").toUserError().field)
        assertEquals(ErrorKind.SERVER, ApiException.Server().toUserError().kind)
        assertEquals(ErrorKind.SERVER, IllegalStateException("boom").toUserError().kind)
    }

    test("navigation: back stack and role homes") {
        val nav = Navigator(Screen.SignIn)
        nav.push(Screen.Badges); nav.push(Screen.Badges); nav.push(Screen.BadgeDetail("x"))
        assertEquals(listOf(Screen.SignIn, Screen.Badges, Screen.BadgeDetail("x")), nav.stack.value)
        assertTrue(nav.back()); assertTrue(nav.back()); assertFalse(nav.back())
        nav.reset(Screen.Queue)
        assertEquals(Screen.Queue, nav.current)
    }

    test("outbox and verification sentences") {
        val failed = OutboxState(reports = listOf(
            ActionReport("a", "nominate", false, "duplicate_nomination"),
            ActionReport("b", "decide", true, null),
            ActionReport("c", "claim", false, "something_new"),
        )).failures
        assertEquals(listOf(
            "Your nominate could not be sent: You've already nominated them for this badge.",
            "Your claim could not be sent: something_new",
        ), failed)
        val revoked = Verification(VerificationStatus.REVOKED, "https://x/a", null, null, "Issued by mistake")
        assertEquals("Revoked by the school: Issued by mistake", verdictText(revoked))
        assertEquals("Revoked by the school.", verdictText(revoked.copy(revocationReason = null)))
        val long = NominateState(badgeId = "b", nomineeIds = setOf("n"), narrative = "x".repeat(NominateState.NARRATIVE_MAX + 1))
        assertEquals(setOf(NominateProblem.NARRATIVE_TOO_LONG), long.problems)
        assertFalse(long.canSend)
    }

    val student = app(this, "student")
    val teacher = app(this, "teacher")
    val live = LiveViewModel(student)
    val badges = BadgesViewModel(student)
    live.subscribe { e ->
        when (e) {
            is AccoladeEvent.AwardIssued -> badges.onAwardIssued(e.badge)
            is AccoladeEvent.AwardRevoked -> badges.onAwardRevoked(e.badge)
            else -> Unit
        }
    }
    var claimedId = ""
    var kindId = ""
    val nomineeNames = env.getValue("APPS_NOMINEES").split(",")

    test("sign in: a wrong password shows the credentials message and clears the field") {
        val vm = SignInViewModel(teacher)
        vm.setLogin(env.getValue("ACCOLADE_TEACHER")); vm.setPassword("not-the-password")
        assertTrue(vm.state.value.canSubmitPassword)
        vm.signInWithPassword().join()
        assertEquals("error_credentials", vm.state.value.error?.key)
        assertEquals("", vm.state.value.password)
        assertEquals(Screen.SignIn, teacher.navigator.current)
        assertNull(teacher.user.value)
    }

    test("sign in: a teacher with a password lands on the queue") {
        val vm = SignInViewModel(teacher)
        vm.setLogin(env.getValue("ACCOLADE_TEACHER")); vm.setPassword(env.getValue("ACCOLADE_PASSWORD"))
        vm.signInWithPassword().join()
        assertNull(vm.state.value.error)
        assertEquals(UserRole.TEACHER, teacher.user.value?.role)
        assertEquals(Screen.Queue, teacher.navigator.current)
    }

    test("sign in: a student types a sign-in card code and lands on their badges") {
        val vm = SignInViewModel(student)
        vm.setCardCode(env.getValue("APPS_CARD_CODE").lowercase())
        assertTrue(vm.state.value.canSubmitCard, vm.state.value.cardCode)
        vm.signInWithCard().join()
        assertNull(vm.state.value.error, "${vm.state.value.error}")
        assertEquals(UserRole.STUDENT, student.user.value?.role)
        assertEquals(Screen.Badges, student.navigator.current)
    }

    test("sign in: scanning a sign-in card QR signs in; another QR is refused") {
        val other = app(this, "card-scan")
        val vm = SignInViewModel(other)
        vm.onCardScanned("https://elsewhere.example/signin/card/AAAABBBBCCCC").join()
        assertEquals(ErrorKind.INVALID, vm.state.value.error?.kind)
        vm.onCardScanned(env.getValue("APPS_CARD_URL")).join()
        assertNull(vm.state.value.error, "${vm.state.value.error}")
        assertEquals(UserRole.STUDENT, other.user.value?.role)
        assertEquals(Screen.Badges, other.navigator.current)
        SignInViewModel(other).signOut().join()
        assertNull(other.user.value)
        assertEquals(Screen.SignIn, other.navigator.current)
    }

    test("live: the listener connects and the banner is off") {
        live.start()
        live.state.await("connected") { it.connected }
        assertEquals(Connection.ONLINE, student.connection.value)
    }

    test("scan: the projector's QR claims the badge, opens it, and the live notice arrives") {
        val code = teacher.client.claimCodes().first { it.mode == "rotating" }
        val qr = teacher.client.claimCodeQr(code.id)
        val vm = ScanViewModel(student)
        val job = assertNotNull(vm.onScanned(assertNotNull(qr.url)))
        assertNull(vm.onScanned(qr.url!!), "the same frame again is ignored while busy")
        job.join()
        val claimed = vm.state.value.outcome as? ScanOutcome.Claimed ?: fail("not claimed: ${vm.state.value}")
        claimedId = claimed.badge.id
        assertEquals("You got the badge ${claimed.badge.name}!", vm.state.value.result)
        assertEquals(Screen.BadgeDetail(claimedId), student.navigator.current)
        assertNull(vm.onScanned(qr.url!!), "the same code is handled once")
        live.state.await("award notice") { s -> s.notices.any { it.event is AccoladeEvent.AwardIssued } }
        badges.state.await("live badge in the list") { s -> s.badges.any { it.id == claimedId } }
        assertTrue(live.state.value.unread >= 1)
        student.navigator.back()
    }

    test("scan: a foreign QR shows the not-an-Accolade-code message") {
        val vm = ScanViewModel(student)
        vm.onScanned("https://elsewhere.example/c/s123")!!.join()
        assertEquals("error_scan_unknown", vm.state.value.error?.key)
    }

    test("badges: load lists the claimed badge with its baked PNG, online") {
        badges.load().join()
        val s = badges.state.value
        assertNull(s.error); assertFalse(s.fromCache); assertFalse(student.offline)
        val b = s.badges.first { it.id == claimedId }
        val png = assertNotNull(b.bakedPng)
        assertEquals(0x89.toByte(), png[0])
    }

    test("badge detail: share text carries the assertion URL; verify says genuine") {
        val vm = BadgeDetailViewModel(student, claimedId)
        vm.load().join()
        val b = assertNotNull(vm.state.value.badge)
        assertTrue(vm.state.value.shareText!!.endsWith(b.assertionUrl))
        vm.verify().join()
        assertEquals(VerificationStatus.VALID, vm.state.value.verification?.status, "${vm.state.value}")
        assertTrue(vm.state.value.verificationText!!.startsWith("Genuine"))
    }

    test("nominate: checks the form, then sends two nominations") {
        val vm = NominateViewModel(student)
        vm.load().join()
        assertNull(vm.state.value.error)
        assertTrue(vm.state.value.badges.any { it.name == "Kind Classmate" })
        assertEquals(setOf(NominateProblem.NO_BADGE, NominateProblem.NO_CLASSMATE, NominateProblem.NARRATIVE_TOO_SHORT), vm.state.value.problems)
        kindId = vm.state.value.badges.first { it.name == "Kind Classmate" }.id
        vm.selectBadge(kindId)
        nomineeNames.take(2).forEach { n -> vm.toggleNominee(vm.state.value.classmates.first { it.displayName == n }.id) }
        vm.setNarrative("Short")
        assertFalse(vm.state.value.canSend)
        vm.setNarrative("They stayed after class to help me understand fractions.")
        assertTrue(vm.state.value.canSend)
        vm.send().join()
        assertNull(vm.state.value.error, "${vm.state.value.error}")
        assertTrue(vm.state.value.done!!.startsWith("Sent 2 nominations"), vm.state.value.done)
        assertEquals("", vm.state.value.narrative)
    }

    test("queue: the teacher sees both, approves one and rejects one with a reason") {
        val vm = QueueViewModel(teacher)
        vm.load().join()
        val mine = vm.state.value.items.filter { it.badgeClassId == kindId && it.nominator.id == student.user.value!!.id }
        assertEquals(2, mine.size, "${vm.state.value}")
        vm.approve(mine[0].id).join()
        assertEquals("Approved ${mine[0].nominee.displayName} (Kind Classmate).", vm.state.value.message)
        vm.startReject(mine[1].id)
        vm.setReason("no")
        assertNull(vm.confirmReject(), "a too-short reason is not sent")
        vm.setReason("Please say what they did and when.")
        vm.confirmReject()!!.join()
        assertNull(vm.state.value.error, "${vm.state.value.error}")
        assertFalse(vm.state.value.items.any { it.id == mine[0].id || it.id == mine[1].id })
        vm.approve(mine[0].id).join()
        assertEquals("error_already_decided", vm.state.value.error?.key)
        live.state.await("both decisions noticed") { s ->
            s.notices.count { (it.event as? AccoladeEvent.NominationDecided)?.nomination?.badgeClassId == kindId } == 2
        }
        assertTrue(live.state.value.notices.any { it.text.endsWith("was not approved: Please say what they did and when.") })
    }

    test("peer offer: a QR valid for about ten minutes") {
        val vm = PeerOfferViewModel(student, kindId)
        vm.create().join()
        val o = assertNotNull(vm.state.value.offer, "${vm.state.value}")
        assertTrue(o.qrSvg.contains("<svg") && o.url.startsWith("$URL/o/"))
        assertTrue(vm.state.value.secondsLeft in 60..600, "${vm.state.value.secondsLeft}")
        assertFalse(vm.state.value.expired)
    }

    var pendingForTeacher = ""
    test("offline: cached badges with the banner, actions queued, sent on return") {
        // A nomination the teacher will decide offline.
        val nom = NominateViewModel(student)
        nom.load().join()
        val code = nom.state.value.badges.first { it.name == "Star Helper" }.id
        nom.selectBadge(code)
        nom.toggleNominee(nom.state.value.classmates.first { it.displayName == nomineeNames[2] }.id)
        nom.setNarrative("Carried all the science fair boards in from the rain.")
        nom.send().join()
        assertNull(nom.state.value.error, "${nom.state.value.error}")
        val queue = QueueViewModel(teacher)
        queue.load().join()
        pendingForTeacher = queue.state.value.items.first { it.badgeClassId == code && it.nominator.id == student.user.value!!.id }.id

        server("stop")
        badges.load().join()
        assertTrue(badges.state.value.fromCache, "${badges.state.value}")
        assertTrue(badges.state.value.badges.any { it.id == claimedId })
        assertTrue(student.offline, "offline banner")
        live.state.await("disconnected") { !it.connected }

        val detail = BadgeDetailViewModel(student, claimedId)
        detail.load().join()
        detail.verify().join()
        val err = detail.state.value.error
        if (detail.state.value.badge != null) assertEquals(ErrorKind.OFFLINE, err?.kind, "${detail.state.value}")

        val signIn = SignInViewModel(app(this, "offline"))
        signIn.setLogin("someone@demo.example.org"); signIn.setPassword("whatever")
        signIn.signInWithPassword().join()
        assertEquals(ErrorKind.OFFLINE, signIn.state.value.error?.kind)
        assertTrue(signIn.state.value.error!!.message.startsWith("You're offline"))

        nom.selectBadge(nom.state.value.badges.first { it.name == "Team Player" }.id)
        nom.toggleNominee(nom.state.value.classmates.first { it.displayName == nomineeNames[1] }.id)
        nom.setNarrative("Shared their lunch with me when I forgot mine.")
        nom.send().join()
        assertEquals("Saved. It will be sent when you're back online.", nom.state.value.done, "${nom.state.value}")

        queue.load().join()
        assertTrue(queue.state.value.fromCache)
        queue.approve(pendingForTeacher).join()
        assertTrue(pendingForTeacher in queue.state.value.pendingSync, "${queue.state.value}")
        assertTrue(teacher.offline)

        val outbox = OutboxViewModel(student)
        outbox.refresh()
        assertEquals(listOf("nominate"), outbox.state.value.queued.map { it.kind })

        server("start")
        outbox.flush().join()
        assertEquals(listOf(true), outbox.state.value.reports.map { it.succeeded }, "${outbox.state.value}")
        assertTrue(outbox.state.value.queued.isEmpty())
        val teacherOutbox = OutboxViewModel(teacher)
        teacherOutbox.flush().join()
        assertEquals(listOf("decide"), teacherOutbox.state.value.reports.map { it.kind })
        assertTrue(teacherOutbox.state.value.failures.isEmpty(), "${teacherOutbox.state.value}")
        live.state.await("reconnected") { it.connected }
        live.state.await("offline approval noticed") { s ->
            s.notices.any { (it.event as? AccoladeEvent.NominationDecided)?.nomination?.let { n -> n.id == pendingForTeacher && n.status == NominationStatus.APPROVED } == true }
        }
        badges.load().join()
        assertFalse(badges.state.value.fromCache)
        assertFalse(student.offline, "banner gone")
    }

    test("sign out: back to sign-in; a signed-out call stays there") {
        live.stop()
        assertFalse(live.state.value.running)
        SignInViewModel(student).signOut().join()
        assertEquals(Screen.SignIn, student.navigator.current)
        badges.load().join()
        assertEquals(ErrorKind.SIGNED_OUT, badges.state.value.error?.kind)
        assertEquals(Screen.SignIn, student.navigator.current)
        SignInViewModel(teacher).signOut().join()
    }

    println("kotlin app logic: $passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
