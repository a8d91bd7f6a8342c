"""Screenshots of the pages for the README, made from the real service in headless Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts the service on loopback with a few demo calls imported (a temporary data folder), signs in
through /login, simulates the rant call and shoots the rep's panel while it runs, the lead's live
tiles, the calls table, a scorecard, the trends and a Hebrew replay with a comment.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.pipeline.resources import Resources  # noqa: E402
from app.store.db import Database, migrate  # noqa: E402
from app.store.demo import import_demo_calls  # noqa: E402
from tests.accounts import PASSWORD, add_account  # noqa: E402
from tests.live_server import serve  # noqa: E402

CALLS = [
    "en-newspaper-pitches-three-offers",
    "en-alarm-long-vent-support-fixes",
    "en-carinsurance-cutoffs-asked-plan",
    "he-streaming-pitch-after-i-know",
    "he-afterschool-cutoffs-two-days",
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def sign_in(browser, site: str, username: str, path: str, width: int, height: int):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(base_url=site, viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="hakshev-shots-"))
    calls = tmp / "calls"
    calls.mkdir()
    for name in CALLS:
        shutil.copy(ROOT / "tests" / "calls" / f"{name}.call.json", calls)
    settings = Settings(
        rubrics_dir=ROOT / "rubrics", data_dir=tmp / "data", demo_calls_dir=calls, demo_admin=False
    )
    db = Database(settings.db_url)
    migrate(db.engine)
    resources = Resources(settings)
    print(f"importing {len(CALLS)} demo calls…", file=sys.stderr)
    import_demo_calls(resources, db, calls)
    resources.close()
    db.close()
    add_account(settings, "tina", "trainer")
    add_account(settings, "leo", "lead", team="north")
    add_account(settings, "jordan", "rep", team="north")
    shot = lambda page, name: page.screenshot(path=str(args.out / f"{name}.png"))  # noqa: E731
    try:
        with serve(settings) as host, sync_playwright() as p:
            site = f"http://{host}"
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            # The rep's panel during a simulated call (4× real time), with the rant nudge.
            panel = sign_in(browser, site, "jordan", "/panel", 380, 860)
            panel.select_option("#demo-call", "en-alarm-long-vent-support-fixes")
            panel.select_option("#demo-speed", "4")
            panel.click("#simulate")
            nudge = panel.locator("#nudges .nudge[data-rubric=kind_rant_interrupt]")
            expect(nudge).to_be_visible(timeout=180_000)
            panel.wait_for_timeout(2500)  # the highlight settles
            shot(panel, "panel")
            lead = sign_in(browser, site, "leo", "/live", 1280, 720)
            expect(lead.locator(".tile")).to_have_count(1, timeout=10_000)
            lead.wait_for_timeout(1500)
            shot(lead, "live")
            call_id = panel.url.split("call=")[1] if "call=" in panel.url else None
            if call_id is None:
                call_id = lead.locator(".tile").first.get_attribute("data-call-id")
            panel.request.post(f"/v1/demo/simulate/{call_id}/stop", timeout=300_000)
            trainer = sign_in(browser, site, "tina", "/calls", 1280, 720)
            expect(trainer.locator("#calls-table tbody tr").first).to_be_visible()
            shot(trainer, "calls")
            trainer.goto("/calls/en-newspaper-pitches-three-offers")
            expect(trainer.locator("#score")).to_be_visible()
            shot(trainer, "scorecard")
            trainer.goto("/trends")
            trainer.wait_for_function("() => window.Chart && Chart.getChart('rubric-chart')")
            shot(trainer, "trends")
            trainer.goto("/calls/he-streaming-pitch-after-i-know/replay?lang=he#t=40")
            expect(trainer.locator("#transcript .line.current")).to_be_visible()
            trainer.fill("#comment-text", "כאן כדאי לשאול מה חסר לה, לפני כל הצעה.")
            trainer.click("#add-comment")
            expect(trainer.locator("#comments .comment")).to_have_count(1)
            shot(trainer, "replay-he")
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for png in sorted(args.out.glob("*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
