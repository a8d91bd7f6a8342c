"""The pages in a real browser: Debian's Chromium driven by Playwright, against the real service
on loopback with demo calls imported (a few of tests/calls, to keep start-up short), users signed
in through the real /login page."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.core.config import ROOT, Settings
from app.demo import speak
from app.pipeline.resources import Resources
from app.store.db import Database, migrate
from app.store.demo import import_demo_calls
from tests.accounts import PASSWORD, add_account
from tests.live_server import serve

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh --test)"
)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

# The rep ids of imported calls are the company lead's name: Cody (newspaper), Jordan (alarm),
# עידו (streaming).
DEMO = [
    "en-newspaper-pitches-three-offers",  # 2.2 min, rep Cody, several failed rubrics
    "en-alarm-long-vent-support-fixes",  # the rant call: a rant nudge near 139 s
    "he-streaming-pitch-after-i-know",  # Hebrew
]
NEWSPAPER, ALARM, HEBREW = DEMO
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pages")
    calls = root / "calls"
    calls.mkdir()
    for name in DEMO:
        shutil.copy(ROOT / "tests" / "calls" / f"{name}.call.json", calls)
    settings = Settings(
        rubrics_dir=ROOT / "rubrics",
        data_dir=root / "data",
        demo_calls_dir=calls,
        demo_admin=False,
        reconnect_grace_s=5,
    )
    # The demo import the service runs at start, done here first (the test server waits 60 s at
    # most for its start-up) with the resources the server then uses: the rubric examples'
    # embeddings are built once.
    resources = Resources(settings)
    db = Database(settings.db_url)
    migrate(db.engine)
    assert import_demo_calls(resources, db, calls) == len(DEMO)
    db.close()
    add_account(settings, "tina", "trainer")
    add_account(settings, "leo", "lead", team="north")
    add_account(settings, "cody", "rep", team="north")
    add_account(settings, "rita", "rep", team="south")
    with serve(settings, resources) as host:
        yield f"http://{host}"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def signed_in(browser: object, site: str, username: str, path: str = "/", **context: object):
    """A fresh browser context signed in as `username` through the /login page, at `path`."""
    ctx = browser.new_context(base_url=site, viewport={"width": 1280, "height": 800}, **context)
    page = ctx.new_page()
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_sign_in_redirects_back_and_signs_out(browser, site):
    page = signed_in(browser, site, "tina", "/calls?language=en")
    expect(page).to_have_url(f"{site}/calls?language=en")
    expect(page.locator("header .who")).to_have_text("tina")
    page.click("#sign-out")
    page.wait_for_url(re.compile(r"/login"))
    page.goto("/calls")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fcalls"))
    page.fill("input[name=username]", "tina")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_be_visible()
    page.context.close()


def test_calls_table_filters_and_sorts(browser, site):
    page = signed_in(browser, site, "tina", "/calls")
    rows = page.locator("#calls-table tbody tr")
    expect(rows).to_have_count(len(DEMO))
    page.select_option("#f-language", "he")
    page.click("#apply-filters")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-call-id", HEBREW)
    expect(page).to_have_url(re.compile(r"language=he"))
    page.click("button:has-text('Reset')")
    expect(rows).to_have_count(len(DEMO))
    page.click("th button[data-sort=score]")  # newest first → by score, highest first
    expect(page.locator("th button[data-sort=score]")).to_have_attribute("aria-sort", "descending")
    scores = [int(s) for s in page.locator("#calls-table tbody .score-badge").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and len(scores) == len(DEMO)
    page.click("th button[data-sort=score]")
    expect(page.locator("th button[data-sort=score]")).to_have_attribute("aria-sort", "ascending")
    scores = [int(s) for s in page.locator("#calls-table tbody .score-badge").all_inner_texts()]
    assert scores == sorted(scores)
    # A failed rubric, as a filter: only the calls that failed it, each showing it as a chip.
    chips = page.locator(f"tr[data-call-id={NEWSPAPER}] .chip")
    counts = {
        r: page.locator(f"#calls-table tbody .chip[data-rubric={r}]").count()
        for r in (chips.nth(i).get_attribute("data-rubric") for i in range(chips.count()))
    }
    rubric, failing = min(counts.items(), key=lambda kv: kv[1])
    assert failing < len(DEMO)  # a filter that leaves some calls out
    page.select_option("#f-failed", rubric)
    page.click("#apply-filters")
    expect(rows).to_have_count(failing)
    expect(page.locator(f"tr[data-call-id={NEWSPAPER}]")).to_be_visible()
    expect(page.locator(f"#calls-table tbody .chip[data-rubric={rubric}]")).to_have_count(failing)
    page.context.close()


def test_scorecard_evidence_link_opens_the_replay_at_that_second(browser, site):
    page = signed_in(browser, site, "tina", f"/calls/{NEWSPAPER}")
    expect(page.locator("#score")).to_have_text(re.compile(r"^\d+$"))
    failed = page.locator(".verdict[data-verdict=fail]")
    assert failed.count() >= 2
    link = page.locator(".verdict[data-verdict=fail] a.evidence-link").first
    second = float(link.get_attribute("data-t"))
    link.click()
    page.wait_for_url(re.compile(rf"/calls/{NEWSPAPER}/replay#t="))
    assert float(page.url.split("#t=")[1]) == second
    # A transcript-only call: no player; the timeline, transcript and cursor are there.
    expect(page.locator("#no-audio")).to_be_visible()
    current = page.locator("#transcript .line.current")
    expect(current).to_have_count(1)
    assert float(current.get_attribute("data-start")) == pytest.approx(second, abs=0.01)
    assert page.locator(".lane").count() == 2
    assert page.locator("#markers .marker.m-nudge").count() >= 1
    page.context.close()


def test_comment_in_the_replay_survives_a_reload(browser, site):
    page = signed_in(browser, site, "tina", f"/calls/{NEWSPAPER}/replay")
    third = page.locator("#transcript .line").nth(2)
    at = float(third.get_attribute("data-start"))
    third.click()
    expect(third).to_have_class(re.compile("current"))
    page.fill("#comment-text", "Ask what made him pick up the paper in the first place.")
    page.click("#add-comment")
    comment = page.locator("#comments .comment")
    expect(comment).to_have_count(1)
    page.reload()
    expect(comment).to_have_count(1)
    expect(comment.locator(".comment-text")).to_have_text(
        "Ask what made him pick up the paper in the first place."
    )
    expect(comment.locator(".comment-time")).to_have_attribute("href", f"#t={at}")
    expect(page.locator("#markers .marker.m-comment")).to_have_count(1)
    # Its author edits it; it stays edited.
    comment.locator(".edit-comment").click()
    comment.locator(".edit-text").fill("Ask what made him subscribe in the first place.")
    comment.locator(".save-edit").click()
    expect(comment.locator(".comment-text")).to_have_text(
        "Ask what made him subscribe in the first place."
    )
    page.context.close()
    # The rep whose call it is sees it too, without the author's controls.
    rep = signed_in(browser, site, "cody", f"/calls/{NEWSPAPER}/replay")
    expect(rep.locator("#comments .comment .comment-text")).to_have_text(
        "Ask what made him subscribe in the first place."
    )
    expect(rep.locator("#comments .edit-comment")).to_have_count(0)
    expect(rep.locator("#comment-form")).to_have_count(0)
    rep.context.close()


def test_hebrew_call_renders_right_to_left(browser, site):
    page = signed_in(browser, site, "tina", f"/calls/{HEBREW}/replay?lang=he")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "he")
    line = page.locator("#transcript .line .text").first
    expect(line).to_have_attribute("dir", "auto")
    assert line.evaluate("n => getComputedStyle(n).direction") == "rtl"
    expect(page.locator("header nav a.active")).to_have_text("שיחות")
    # The language choice sticks (a cookie), and an English call's lines stay left-to-right.
    page.goto(f"/calls/{NEWSPAPER}/replay")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    line = page.locator("#transcript .line .text").first
    expect(line).to_be_visible()
    assert line.evaluate("n => getComputedStyle(n).direction") == "ltr"
    page.context.close()


def test_pages_refuse_what_a_role_may_not_see(browser, site):
    page = signed_in(browser, site, "rita", "/calls")
    expect(page.locator("#calls-table tbody tr")).to_have_count(1)  # "no calls match"
    expect(page.locator("#calls-table tbody td.muted")).to_be_visible()
    for path, code in [
        (f"/calls/{NEWSPAPER}", "404"),
        (f"/calls/{NEWSPAPER}/replay", "404"),
        (f"/panel?call={NEWSPAPER}", "404"),
        ("/panel?rep=cody", "403"),
        ("/live", "403"),
    ]:
        response = page.goto(path)
        assert response.status == int(code), path
        expect(page.locator("#code")).to_have_text(code)
        assert "Cody" not in page.content()
    page.context.close()


def test_trends_draw_charts(browser, site):
    page = signed_in(browser, site, "tina", "/trends")
    expect(page.locator("#trend-summary")).to_have_text(f"{len(DEMO)} calls")
    page.wait_for_function("() => Chart.getChart('score-chart') && Chart.getChart('rubric-chart')")
    bars = page.evaluate("() => Chart.getChart('rubric-chart').data.datasets[0].data.length")
    assert bars >= 10
    page.context.close()


@pytest.mark.slow
def test_panel_shows_a_simulated_call_live(browser, site):
    """The rep's panel follows the rep; "simulate a call" streams the rant call through the live
    service (8× real time: call time is counted from samples, so nudges come at the same call
    times); transcript lines and the rant nudge appear; the lead sees it on /live."""
    page = signed_in(browser, site, "cody", "/panel")
    # The events sockets go through Playwright's proxy, so the test can drop one.
    sockets = []

    def through(ws):
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/events$"), through)
    expect(page.locator("#call-status")).to_have_text("")
    page.locator(".try-it details.sim").evaluate("d => d.open = true")
    page.select_option("#demo-call", ALARM)
    page.select_option("#demo-speed", "8")
    page.click("#simulate")
    expect(page.locator("#call-status")).to_have_text("live", timeout=180_000)
    lead = signed_in(browser, site, "leo", "/live")
    tile = lead.locator(".tile")
    expect(tile).to_have_count(1, timeout=10_000)
    expect(tile.locator("h3")).to_have_text("cody")
    expect(page.locator("#transcript .line.final").first).to_be_visible(timeout=60_000)
    nudge = page.locator("#nudges .nudge[data-rubric=kind_rant_interrupt]")
    expect(nudge).to_be_visible(timeout=90_000)
    expect(nudge.locator(".nudge-why")).not_to_be_empty()
    expect(page.locator("#rant-timer")).to_have_class(re.compile(r"\b(amber|red)\b"))
    expect(tile.locator(".nudge-line")).to_be_visible(timeout=10_000)
    expect(tile.locator(".red-mark")).to_be_visible()
    tile.click()
    lead.wait_for_url(re.compile(r"/panel\?call=sim-"))
    expect(lead.locator("#transcript .line.final").first).to_be_visible()
    # The events socket drops: the panel reconnects by itself, nothing lost and nothing twice.
    finals = page.locator("#transcript .line.final")
    before = finals.count()
    dropped = len(sockets)
    sockets[-1].close(code=4000, reason="test drop")
    for _ in range(200):
        if len(sockets) > dropped:
            break
        page.wait_for_timeout(100)
    assert len(sockets) > dropped, "the panel did not reconnect"
    expect(page.locator("#call-status")).to_have_text("live", timeout=20_000)
    expect(finals).not_to_have_count(0)
    # The reconnected socket first sends `call`, then the history: wait for the history to be
    # drawn before counting (the panel redraws the final lines from it).
    page.wait_for_function(
        "n => document.querySelectorAll('#transcript .line.final').length >= n",
        arg=before,
        timeout=20_000,
    )
    assert finals.count() >= before
    starts = page.eval_on_selector_all(
        "#transcript .line.final",
        "ns => ns.map(n => n.querySelector('.who').textContent + n.dataset.start)",
    )
    assert len(starts) == len(set(starts))
    call_id = lead.url.split("call=")[1]
    # End it early (the rest of the call is not needed): it is finished and scored.
    stopped = page.request.post(f"/v1/demo/simulate/{call_id}/stop")
    assert stopped.ok, stopped.text()
    expect(page.locator("#call-status")).to_have_text("ended", timeout=120_000)
    expect(page.locator("#final-score")).to_have_text(re.compile(r"^\d+$"))
    # Its recording replays: the player seeks (HTTP range requests) and plays at 2×.
    lead.goto(f"/calls/{call_id}/replay#t=20")
    audio = lead.locator("#audio")
    expect(audio).to_have_count(1)
    lead.wait_for_function("() => document.getElementById('audio').currentTime >= 19.9")
    lead.select_option("#rate", "2")
    lead.click("#play")
    lead.wait_for_function("() => document.getElementById('audio').currentTime > 21")
    assert audio.evaluate("a => a.playbackRate") == 2
    lead.click("#play")  # pause
    expect(lead.locator("#play")).to_have_text("Play")
    lead.context.close()
    page.context.close()


@pytest.mark.slow
def test_panel_streams_the_microphone_next_to_a_customer_file(browser, site, tmp_path):
    """ "Use my microphone": Chromium's fake microphone (a beep) is the rep's channel, a WAV file
    spoken by espeak-ng the customer's; the browser interleaves both as PCM16 over the audio
    websocket, and the customer's words come back transcribed."""
    said = "Hello, I want to cancel my subscription, it simply costs too much for us."
    clip = speak.speak(said, "en", 0)
    silence = np.zeros(speak.SR, np.float32)
    wav = tmp_path / "customer.wav"
    speak.write_wav(
        wav, np.concatenate([silence[: speak.SR // 2], clip, silence, silence])[:, None]
    )
    page = signed_in(browser, site, "cody", "/panel")
    page.locator(".try-it details.mic").evaluate("d => d.open = true")
    page.select_option("#mic-language", "en")
    page.set_input_files("#customer-file", str(wav))
    page.click("#mic-start")
    expect(page.locator("#mic-status")).not_to_be_empty(timeout=60_000)
    expect(page.locator("#call-status")).to_have_text("live", timeout=60_000)
    assert "call=mic-" in page.url
    customer = page.locator("#transcript .line.final.role-customer .text")
    expect(customer.first).to_contain_text("cancel", ignore_case=True, timeout=120_000)
    page.click("#mic-start")  # now "Stop": the call is finished and scored
    expect(page.locator("#call-status")).to_have_text("ended", timeout=120_000)
    page.context.close()


def test_the_api_behind_the_pages_refuses_bad_input(site):
    """Comments, the demo and the calls list: bad input gets a clear status, and another rep's
    call is answered like one that doesn't exist."""
    import httpx

    def client(username: str) -> httpx.Client:
        c = httpx.Client(base_url=site, timeout=60)
        assert c.post(
            "/v1/auth/login", json={"username": username, "password": PASSWORD}
        ).is_success
        return c

    clients = [client(name) for name in ("tina", "cody", "rita")]
    try:
        check_bad_input(*clients)
    finally:
        for c in clients:
            c.close()


def check_bad_input(tina, cody, rita) -> None:  # type: ignore[no-untyped-def]
    url = f"/v1/calls/{NEWSPAPER}/comments"
    assert tina.post(url, json={"start": 5, "end": 2, "text": "x"}).status_code == 422
    assert tina.post(url, json={"start": 5, "text": "   "}).status_code == 422
    assert tina.post(url, json={"start": -1, "text": "x"}).status_code == 422
    assert cody.post(url, json={"start": 5, "text": "mine"}).status_code == 403  # reps don't
    assert (
        tina.post(f"/v1/calls/{HEBREW}x/comments", json={"start": 1, "text": "x"}).status_code
        == 404
    )
    made = tina.post(url, json={"start": 5.25, "end": 9, "text": "a range"})
    assert made.status_code == 201 and made.json()["end"] == 9
    cid = made.json()["id"]
    assert rita.get(url).status_code == 404  # another team's rep: no such call
    assert cody.patch(f"/v1/comments/{cid}", json={"text": "x"}).status_code == 403
    assert rita.delete(f"/v1/comments/{cid}").status_code == 404
    assert tina.patch(f"/v1/comments/{cid}", json={"end": 1}).status_code == 422
    assert tina.delete(f"/v1/comments/{cid}").json() == {"id": cid, "deleted": True}
    assert tina.get("/v1/calls?sort=bogus").status_code == 422
    assert tina.get("/v1/calls?failed=Robert');").status_code == 422
    by_customer = tina.get("/v1/calls", params={"customer": "pau", "sort": "customer"}).json()
    assert [c["id"] for c in by_customer["items"]] == [NEWSPAPER]  # Paul
    he = {"language": "he", "min_duration": 100}
    assert [c["id"] for c in tina.get("/v1/calls", params=he).json()["items"]] == [HEBREW]
    assert tina.get("/v1/calls", params={**he, "min_duration": 200}).json()["total"] == 0
    assert tina.get("/v1/calls", params={"max_duration": -1}).status_code == 422
    assert tina.post("/v1/demo/simulate", json={"call": "../secrets"}).status_code == 422
    assert tina.post("/v1/demo/simulate", json={"call": "no-such-call"}).status_code == 404
    assert cody.post("/v1/demo/simulate", json={"call": ALARM, "rep": "rita"}).status_code == 403
    assert cody.post("/v1/demo/simulate", json={"call": ALARM, "speed": 100}).status_code == 422
    assert cody.get("/v1/live?rep=rita").json() == {"items": [], "current": None}
    assert cody.get("/v1/stats/trends?team=north").status_code == 403
    assert rita.get("/v1/stats/trends").json()["calls"] == 0
