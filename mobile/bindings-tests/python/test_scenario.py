"""The mobile scenario through the generated Python bindings, against a real server.

run.sh starts `accolade serve` with the demo school and passes, in the environment:
ACCOLADE_URL, ACCOLADE_CARD_URL (a student's sign-in card QR), ACCOLADE_NOMINEE (a
classmate's display name), ACCOLADE_TEACHER, ACCOLADE_PASSWORD, ACCOLADE_STORE_DIR.
"""

import asyncio
import os
import queue
import time

import accolade_ffi as a

URL = os.environ["ACCOLADE_URL"]
STORE = os.environ["ACCOLADE_STORE_DIR"]


class Collector(a.EventListener):
    """Events arrive on a library thread; hand them over through a thread-safe queue."""

    def __init__(self):
        self.events = queue.Queue()

    def on_event(self, event):
        self.events.put(event)

    async def wait_for(self, pred, timeout=20.0):
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no matching event within {timeout}s; saw {seen}"
            try:
                ev = await loop.run_in_executor(None, self.events.get, True, min(left, 1.0))
            except queue.Empty:
                continue
            seen.append(ev)
            if pred(ev):
                return ev


async def scenario():
    teacher = a.AccoladeClient(URL, os.path.join(STORE, "py-teacher.db"))
    me = await teacher.sign_in_password(os.environ["ACCOLADE_TEACHER"], os.environ["ACCOLADE_PASSWORD"], None)
    assert me.role == a.UserRole.TEACHER

    # The projector's current QR (the demo's rotating "Science Week" code).
    codes = [c for c in await teacher.claim_codes() if c.mode == "rotating"]
    assert codes, "the demo has a rotating claim code"
    qr = await teacher.claim_code_qr(codes[0].id)
    assert qr.url and qr.url.startswith(URL + "/c/r") and "<svg" in qr.qr_svg

    # A student scans their sign-in card.
    student = a.AccoladeClient(URL, os.path.join(STORE, "py-student.db"))
    out = await student.handle_scan(os.environ["ACCOLADE_CARD_URL"])
    assert out.is_signed_in() and out.user.role == a.UserRole.STUDENT
    assert student.current_user().id == out.user.id

    collector = Collector()
    handle = student.listen(collector)
    await collector.wait_for(lambda e: e.is_connected())

    # Scan the projector's QR: claimed, and the live award.issued arrives.
    claimed = await student.handle_scan(qr.url)
    assert claimed.is_claimed() and not claimed.already_claimed
    ev = await collector.wait_for(lambda e: e.is_award_issued())
    assert ev.badge.id == claimed.badge.id

    # Nominate a classmate; the teacher approves; the decision arrives live.
    badge = next(b for b in await student.nominable_badges() if b.name == "Kind Classmate")
    nominee = next(p for p in await student.classmates() if p.display_name == os.environ["ACCOLADE_NOMINEE"])
    sent = await student.nominate(badge.id, [nominee.id], "Helped me fix my robot after school.", None)
    assert sent.is_sent()
    nomination = sent.nominations[0]
    assert nomination.status == a.NominationStatus.PENDING

    waiting = await teacher.queue()
    assert nomination.id in [n.id for n in waiting.nominations]
    decided = await teacher.decide(nomination.id, a.DecisionKind.APPROVE, None)
    assert decided.is_decided() and decided.nomination.status == a.NominationStatus.APPROVED
    ev = await collector.wait_for(lambda e: e.is_nomination_decided() and e.nomination.id == nomination.id)
    assert ev.nomination.status == a.NominationStatus.APPROVED

    # Verify the baked badge: valid for me, wrong recipient for someone else.
    mine = await student.my_badges()
    held = next(b for b in mine.badges if b.id == claimed.badge.id)
    assert held.baked_png and held.baked_png[:8] == b"\x89PNG\r\n\x1a\n"
    v = await student.verify_badge(held.baked_png, None)
    assert v.status == a.VerificationStatus.VALID, v
    v = await student.verify_badge(held.baked_png, "someone.else@example.org")
    assert v.status == a.VerificationStatus.WRONG_RECIPIENT

    # QR rendering and errors an app reacts to.
    offer = await student.create_peer_offer(badge.id)
    assert offer.url.startswith(URL + "/o/") and "<svg" in offer.qr_svg
    assert student.render_qr_png("hello", 4)[:4] == b"\x89PNG"
    try:
        await student.handle_scan("https://elsewhere.example/c/s123")
        raise AssertionError("a foreign QR must be refused")
    except a.ApiError.InvalidInput as e:
        assert e.field == "scan"

    handle.cancel()
    assert not handle.is_running()
    await student.sign_out()
    assert student.current_user() is None
    try:
        await student.my_badges()
        raise AssertionError("signed out")
    except a.ApiError.SignedOut:
        pass
    await teacher.sign_out()


async def offline():
    # Nothing listens on port 9 of the loopback: the client reports Offline, not a crash.
    c = a.AccoladeClient("http://127.0.0.1:9", None)
    try:
        await c.sign_in_password("x@example.org", "password1", None)
        raise AssertionError("must be offline")
    except a.ApiError.Offline:
        pass


def test_scenario():
    asyncio.run(scenario())


def test_offline_is_reported():
    asyncio.run(offline())
