"""Faults: the server killed mid-call, the database locked, a transcription that fails.

A real `hakshev serve` in a subprocess (its own data folder and SQLite file, a free loopback
port), the real model on a call spoken by espeak-ng, an API key made with tests/accounts.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from app.core.config import ROOT, Settings
from app.core.events import Participant
from app.streamer import StreamResult, stream_call
from tests import scripts_en
from tests.accounts import add_account
from tests.live_server import free_port
from tests.synth import SR, Turn, render

pytestmark = pytest.mark.slow
PEOPLE = [Participant("c", "customer", "Noa"), Participant("r", "rep", "Dana")]
# The opening, then the take-overs with pitches (nudges, findings, content verdicts): ~50 s.
TURNS = scripts_en.TURNS[:3] + scripts_en.TURNS[17:]


class ServerProcess:
    """`hakshev serve` on a fixed port and data folder; killed and started again at will."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.http = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HAKSHEV_")},
            "HAKSHEV_DATA_DIR": str(data_dir),
            "HAKSHEV_RUBRICS_DIR": str(ROOT / "rubrics"),
            "HAKSHEV_DEMO_ADMIN": "false",
            "HAKSHEV_LOG_LEVEL": "WARNING",
            **env,
        }
        self.log = data_dir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.http}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("the server did not start:\n" + self.log.read_text()[-3000:])

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="module")
def call_audio() -> np.ndarray:
    return render(TURNS, "en", 2)[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    data = tmp_path_factory.mktemp("faults")
    key = add_account(Settings(data_dir=data, rubrics_dir=ROOT / "rubrics"), "ops", "admin")
    proc = ServerProcess(data, HAKSHEV_RECONNECT_GRACE_S="60")
    proc.start()
    yield proc, key
    proc.stop()


def _stream(proc: ServerProcess, key: str, audio: np.ndarray, call_id: str, **kw: Any) -> Any:
    return stream_call(
        proc.ws, audio, PEOPLE, language="en", call_id=call_id, rep_id="dana", token=key, **kw
    )


def _stored(proc: ServerProcess, key: str, call_id: str) -> dict[str, Any]:
    r = httpx.get(
        f"{proc.http}/v1/calls/{call_id}", headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _until_stored(proc: ServerProcess, key: str, call_id: str, utterances: int) -> None:
    while True:
        await asyncio.sleep(0.2)
        r = await asyncio.to_thread(
            httpx.get,
            f"{proc.http}/v1/calls/{call_id}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        if r.status_code == 200 and len(r.json()["utterances"]) >= utterances:
            return


def _lines(card: dict[str, Any]) -> list[tuple[str, float, float, str]]:
    return [(u["speaker"], u["start"], u["end"], u["text"]) for u in card["utterances"]]


def _finals(result: StreamResult) -> list[dict[str, Any]]:
    return [e for e in result.events if e["type"] == "transcript" and e["final"]]


def test_a_server_killed_mid_call_is_restarted_and_the_call_resumes(
    server: tuple[ServerProcess, str], call_audio: np.ndarray
) -> None:
    proc, key = server

    async def crash_and_resume() -> StreamResult:
        call = asyncio.create_task(
            _stream(proc, key, call_audio, "crash-1", speed=2.0, reconnect_s=120)
        )
        await _until_stored(proc, key, "crash-1", 3)  # mid-call, some of it stored
        proc.kill()
        await asyncio.to_thread(proc.start)
        return await call

    resumed = asyncio.run(crash_and_resume())
    assert resumed.error is None and resumed.scorecard is not None
    [again] = resumed.resumes
    # at most the last second of what the client had sent is missing on the server
    assert again["sent_s"] - 1.0 <= again["at"] <= again["sent_s"]
    # The same call, never interrupted, as the reference.
    whole = asyncio.run(_stream(proc, key, call_audio, "whole-1", speed=0))
    assert whole.scorecard is not None
    card, ref = resumed.scorecard, whole.scorecard
    assert card["duration"] == pytest.approx(len(call_audio) / SR, abs=0.05)
    assert _lines(card) == _lines(ref) and len(_lines(ref)) >= 8
    assert [(n["rubric"], n["kind"], n["at"]) for n in card["nudges"]] == [
        (n["rubric"], n["kind"], n["at"]) for n in ref["nudges"]
    ]
    assert {k: v["verdict"] for k, v in card["verdicts"].items()} == {
        k: v["verdict"] for k, v in ref["verdicts"].items()
    }
    assert card["score"] == ref["score"]
    # Stored once each; the client saw each final transcript once.
    stored = _stored(proc, key, "crash-1")
    assert stored["status"] == "ended" and _lines(stored) == _lines(_stored(proc, key, "whole-1"))
    assert len(stored["nudges"]) == len(ref["nudges"])
    assert len(_finals(resumed)) == len(_lines(ref))
    with wave.open(str(Path(proc.env["HAKSHEV_DATA_DIR"]) / "audio/crash-1.wav")) as w:
        assert w.getnframes() == len(call_audio)  # the whole call is in the recording


def test_a_locked_database_delays_writes_and_loses_none(
    server: tuple[ServerProcess, str], call_audio: np.ndarray
) -> None:
    """Another process holds SQLite's write lock for 5 s mid-call: the live events go on, the
    writes wait and are all stored, in order."""
    proc, key = server
    db = Path(proc.env["HAKSHEV_DATA_DIR"]) / "hakshev.db"
    held = threading.Event()

    def lock_for(seconds: float) -> None:
        conn = sqlite3.connect(db, isolation_level=None, timeout=30)
        conn.execute("BEGIN EXCLUSIVE")
        held.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    async def run() -> StreamResult:
        call = asyncio.create_task(_stream(proc, key, call_audio, "locked-1", speed=2.0))
        await _until_stored(proc, key, "locked-1", 1)
        locker = threading.Thread(target=lock_for, args=(5.0,))
        locker.start()
        await asyncio.to_thread(held.wait)
        result = await call
        await asyncio.to_thread(locker.join)
        return result

    t0 = time.monotonic()
    result = asyncio.run(run())
    assert result.scorecard is not None and time.monotonic() - t0 > 5
    stored = _stored(proc, key, "locked-1")
    finals = [(e["speaker"], e["start"], e["end"], e["text"]) for e in _finals(result)]
    assert stored["status"] == "ended" and len(finals) >= 8
    assert [(s, round(a, 2), round(b, 2), t) for s, a, b, t in _lines(stored)] == sorted(
        finals, key=lambda f: f[1]
    )
    assert len(stored["nudges"]) == len(result.scorecard["nudges"])


def test_a_failing_transcription_is_an_error_event_not_a_dead_server(
    tmp_path: Path, call_audio: np.ndarray
) -> None:
    """An English-only model asked for Hebrew fails every transcription, for real: each is an
    error event on that call, the call is still scored, and the server goes on serving."""
    key = add_account(Settings(data_dir=tmp_path, rubrics_dir=ROOT / "rubrics"), "ops", "admin")
    proc = ServerProcess(tmp_path, HAKSHEV_WHISPER_MODEL="tiny.en")
    hebrew = render(
        [Turn(1, "שלום, מדברת דנה מלומן."), Turn(0, "אני רוצה לבטל את המנוי שלי.")], "he", 2
    )[0]
    proc.start()
    try:
        failed = asyncio.run(
            stream_call(proc.ws, hebrew, PEOPLE, language="he", call_id="he-1", token=key, speed=0)
        )
        english = asyncio.run(_stream(proc, key, call_audio[: 12 * SR], "en-after", speed=0))
        health = httpx.get(f"{proc.http}/health", timeout=30)
    finally:
        proc.stop()
    errors = [e for e in failed.events if e["type"] == "error"]
    assert errors and all(e["code"] == "transcription_failed" for e in errors)
    assert "English-only" in errors[0]["message"]
    assert failed.scorecard is not None and failed.scorecard["utterances"] == []
    assert health.status_code == 200
    assert english.scorecard is not None and _finals(english)
    assert not [e for e in english.events if e["type"] == "error"]


def test_writes_wait_out_a_locked_database_in_order(tmp_path: Path) -> None:
    """The store's own retry (past SQLite's busy wait, here cut to 0.1 s): writes queued while
    another connection holds the lock are all committed, in the order they were made."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import sessionmaker

    from app.core.events import Transcript
    from app.live.hub import Store
    from app.store import repo
    from app.store.db import Database, migrate
    from app.store.models import Utterance

    url = f"sqlite:///{tmp_path / 'locked.db'}"
    db = Database(url)
    migrate(db.engine)
    db.engine = create_engine(url, connect_args={"timeout": 0.1})
    db._sessions = sessionmaker(db.engine, expire_on_commit=False)
    store = Store(db)

    async def run() -> None:
        await store.write(lambda s: repo.create_call(s, "c", language="en", participants=PEOPLE))
        blocker = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        writes = [
            store.write(repo.add_utterance, "c", Transcript("c", i, i + 0.5, f"line {i}"))
            for i in range(40)
        ]
        await asyncio.sleep(1.5)
        assert not any(w.done() for w in writes)  # waiting, not failed
        blocker.execute("COMMIT")
        await asyncio.gather(*writes)

    asyncio.run(run())
    with db.session() as s:
        rows = s.scalars(select(Utterance).order_by(Utterance.id)).all()
    assert [r.text for r in rows] == [f"line {i}" for i in range(40)]
    assert store.retries > 0
    store.close()
    db.close()
