"""Size and rate limits, each refused with a clear error and nothing already received lost: the
real app on loopback (uvicorn), real websockets, real SQLite, the real rubric files."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from app.auth import service
from app.core.config import ROOT, Settings
from app.core.limits import CallSlots
from app.store.db import Database, migrate
from tests.accounts import PASSWORD, add_account, admin_headers

START = {
    "type": "start",
    "language": "en",
    "sample_rate": 16000,
    "encoding": "pcm_s16le",
    "participants": [
        {"id": "c", "role": "customer", "name": "Noa"},
        {"id": "r", "role": "rep", "name": "Dana"},
    ],
}
SECOND = np.zeros((16000, 2), "<i2").tobytes()  # one second of (silent) two-channel audio


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    from tests.live_server import serve

    settings = Settings(
        rubrics_dir=ROOT / "rubrics",
        data_dir=tmp_path_factory.mktemp("data"),
        reconnect_grace_s=0.3,
        login_max_failures=3,
        login_max_failures_ip=6,
        login_window_s=60,
        ws_max_messages_per_s=20,
        ws_max_text_kb=2,
        max_call_minutes=0.05,  # 3 s
        max_calls_per_user=2,
        max_json_kb=4,
        max_upload_mb=1,
        demo_admin=False,
    )
    with serve(settings) as host:
        yield host, settings


def _key(settings: Settings, name: str, role: str = "rep", max_calls: int | None = None) -> str:
    """A user `name` and an API key acting for them (with its own concurrent-call limit)."""
    add_account(settings, name, role)
    db = Database(settings.db_url)
    try:
        migrate(db.engine)
        with db.session() as s:
            from sqlalchemy import select

            from app.store.models import User

            user = s.scalar(select(User).where(User.username == name))
            _, key = service.create_api_key(
                s, f"{name} limited", role, user=user, max_calls=max_calls
            )
        return key
    finally:
        db.close()


async def _until_closed(ws: Any) -> list[dict[str, Any]]:
    got = []
    try:
        async for raw in ws:
            got.append(json.loads(raw))
    except ConnectionClosed:
        pass
    return got


def _ws(host: str, call_id: str, key: str) -> Any:
    return websockets.connect(
        f"ws://{host}/v1/calls/{call_id}/audio",
        additional_headers={"Authorization": f"Bearer {key}"},
        max_size=None,
    )


# --- sign-in --------------------------------------------------------------------------------


def test_sign_in_brute_force_is_refused_with_retry_after(server: tuple[str, Settings]) -> None:
    host, settings = server
    add_account(settings, "bruce", "rep")
    with httpx.Client(base_url=f"http://{host}") as http:
        for _ in range(3):
            r = http.post("/v1/auth/login", json={"username": "bruce", "password": "nope-nope"})
            assert r.status_code == 401
        r = http.post("/v1/auth/login", json={"username": "bruce", "password": "nope-nope"})
        assert r.status_code == 429 and "too many failed sign-ins" in r.json()["detail"]
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        # while blocked, even the right password waits: guessing can't probe it
        r = http.post("/v1/auth/login", json={"username": "bruce", "password": PASSWORD})
        assert r.status_code == 429
        # another user from the same address still signs in, until the address's own limit
        add_account(settings, "carol", "rep")
        r = http.post("/v1/auth/login", json={"username": "carol", "password": PASSWORD})
        assert r.status_code == 200
        for _ in range(3):  # 3 more failures: the address has 6 now
            http.post("/v1/auth/login", json={"username": "carol", "password": "wrong-wrong"})
        r = http.post("/v1/auth/login", json={"username": "dave", "password": "whatever1"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


# --- request bodies -------------------------------------------------------------------------


def test_json_and_upload_bodies_over_the_limit_get_413(server: tuple[str, Settings]) -> None:
    host, settings = server
    big = json.dumps({"username": "x", "password": "y" * 8000})
    with httpx.Client(base_url=f"http://{host}", headers=admin_headers(settings)) as http:
        r = http.post("/v1/auth/login", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and "4 KB" in r.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for i in range(0, len(big), 1000):
                yield big[i : i + 1000].encode()

        r = http.post(
            "/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413
        r = http.post(
            "/v1/analyze",
            files={"file": ("big.wav", b"\0" * (3 << 20), "audio/wav")},
        )
        assert r.status_code == 413 and "MB" in r.json()["detail"]
        # under the limits: answered as usual
        r = http.post(
            "/v1/users", json={"username": "fits", "password": "long-enough-1", "role": "rep"}
        )
        assert r.status_code == 201, r.text


# --- websockets -----------------------------------------------------------------------------


def test_message_rate_is_limited_and_the_audio_kept(server: tuple[str, Settings]) -> None:
    host, settings = server
    key = _key(settings, "flood")

    async def run() -> list[dict[str, Any]]:
        async with _ws(host, "flood-1", key) as ws:
            await ws.send(json.dumps(START))
            assert json.loads(await ws.recv())["type"] == "started"
            try:
                for _ in range(60):  # 60 small frames at once: over 20 a second
                    await ws.send(SECOND[:3200])
            except ConnectionClosed:
                pass
            got = await _until_closed(ws)
            assert ws.close_code == 1008 and "messages a second" in ws.close_reason
            return got

    got = asyncio.run(run())
    assert got[-1]["type"] == "error" and got[-1]["code"] == "rate_limited"
    with httpx.Client(base_url=f"http://{host}", headers=admin_headers(settings)) as http:
        for _ in range(100):  # the dropped call is finished after the grace period
            call = http.get("/v1/calls/flood-1").json()
            if call["status"] == "ended":
                break
            asyncio.run(asyncio.sleep(0.1))
    # the 20 messages of 0.05 s taken before the limit (more if a new second began): kept
    assert call["status"] == "ended" and 1.0 <= call["duration"] < 3.0


def test_a_subscriber_that_floods_the_events_socket_is_closed(
    server: tuple[str, Settings],
) -> None:
    host, settings = server
    key = _key(settings, "watcher", role="admin")

    async def run() -> tuple[list[dict[str, Any]], int | None, str]:
        async with _ws(host, "watched", key) as audio:
            await audio.send(json.dumps(START))
            await audio.recv()
            async with websockets.connect(
                f"ws://{host}/v1/calls/watched/events",
                additional_headers={"Authorization": f"Bearer {key}"},
            ) as events:
                try:
                    for _ in range(100):
                        await events.send("hello?")
                except ConnectionClosed:
                    pass
                got = await _until_closed(events)
                code, reason = events.close_code, events.close_reason
            await audio.send(json.dumps({"type": "stop"}))
            await _until_closed(audio)
            return got, code, reason

    got, code, reason = asyncio.run(run())
    assert code == 1008 and "takes no messages" in reason
    assert got[0]["type"] == "call" and got[-1]["code"] == "rate_limited"


def test_text_message_over_the_limit_closes_1009(server: tuple[str, Settings]) -> None:
    host, settings = server
    key = _key(settings, "talker")

    async def run() -> tuple[list[dict[str, Any]], int | None]:
        async with _ws(host, "big-text", key) as ws:
            await ws.send(json.dumps({**START, "title": "x" * 3000}))
            got = await _until_closed(ws)
            return got, ws.close_code

    got, code = asyncio.run(run())
    assert code == 1009 and got[-1]["code"] == "message_too_big" and "2 KB" in got[-1]["message"]


def test_a_call_past_its_longest_is_ended_and_scored(server: tuple[str, Settings]) -> None:
    host, settings = server
    key = _key(settings, "marathon")

    async def run() -> tuple[list[dict[str, Any]], int | None, str]:
        async with _ws(host, "too-long", key) as ws:
            await ws.send(json.dumps(START))
            await ws.recv()
            try:
                for _ in range(5):
                    await ws.send(SECOND)
                    await asyncio.sleep(0.05)
            except ConnectionClosed:
                pass
            got = await _until_closed(ws)
            return got, ws.close_code, ws.close_reason

    got, code, reason = asyncio.run(run())
    assert code == 1008 and "at most 0.05 minutes" in reason
    assert [e["type"] for e in got] == ["error", "stopped"]
    assert got[0]["code"] == "call_too_long"
    assert got[1]["scorecard"]["duration"] == pytest.approx(3.0, abs=0.05)  # all up to the limit
    with httpx.Client(base_url=f"http://{host}", headers=admin_headers(settings)) as http:
        call = http.get("/v1/calls/too-long").json()
    assert call["status"] == "ended" and call["duration"] == pytest.approx(3.0, abs=0.05)


def test_concurrent_calls_per_key_and_per_user(server: tuple[str, Settings]) -> None:
    host, settings = server
    one = _key(settings, "single", max_calls=1)  # this key: one call at a time

    async def start(ws: Any) -> dict[str, Any]:
        await ws.send(json.dumps(START))
        return json.loads(await ws.recv())

    async def run() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with _ws(host, "conc-a", one) as a:
            assert (await start(a))["type"] == "started"
            async with _ws(host, "conc-b", one) as b:
                reply = await start(b)
                await _until_closed(b)
                out["key"] = (reply, b.close_code)
            await a.send(json.dumps({"type": "stop"}))
            await _until_closed(a)
        async with _ws(host, "conc-c", one) as c:  # the slot is back once the call ended
            out["after"] = await start(c)
            await c.send(json.dumps({"type": "stop"}))
            await _until_closed(c)
        # per user: two keys of the same user share the user's 2 calls
        k1, k2 = _key(settings, "busy"), None
        db = Database(settings.db_url)
        with db.session() as s:
            from sqlalchemy import select

            from app.store.models import User

            user = s.scalar(select(User).where(User.username == "busy"))
            _, k2 = service.create_api_key(s, "busy 2", "rep", user=user)
        db.close()
        async with _ws(host, "user-a", k1) as a, _ws(host, "user-b", k2) as b:
            assert (await start(a))["type"] == "started"
            assert (await start(b))["type"] == "started"
            async with _ws(host, "user-c", k2) as c:
                reply = await start(c)
                await _until_closed(c)
                out["user"] = (reply, c.close_code)
            for ws in (a, b):
                await ws.send(json.dumps({"type": "stop"}))
                await _until_closed(ws)
        return out

    out = asyncio.run(run())
    reply, code = out["key"]
    assert code == 1008 and reply["code"] == "too_many_calls" and "API key" in reply["message"]
    assert out["after"]["type"] == "started"
    reply, code = out["user"]
    assert code == 1008 and reply["code"] == "too_many_calls" and "user" in reply["message"]


def test_call_slots_are_all_or_nothing() -> None:
    slots = CallSlots()
    a, b = ("user:x", 1), ("key:1", 2)
    assert slots.acquire([a, b]) is None
    assert slots.acquire([b, a]) == "user:x" and slots.held("key:1") == 1  # nothing taken
    slots.release([a, b])
    assert slots.held("user:x") == 0 and slots.acquire([a]) is None


def test_whisper_workers_default_by_model_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """One transcription worker per core, one more for tiny models (bench/load.py); a set value
    wins, and a bad one is refused by name."""
    from pydantic import ValidationError

    monkeypatch.delenv("HAKSHEV_ASR_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert Settings(whisper_model="base").asr_workers == 2
    assert Settings(whisper_model="tiny.en").asr_workers == 3
    # Any larger model on either language keeps one per core.
    assert Settings(whisper_model="tiny.en", whisper_model_he="base").asr_workers == 2
    assert Settings(whisper_model="base", asr_workers=5).asr_workers == 5
    with pytest.raises(ValidationError, match="asr_workers"):
        Settings(asr_workers=0)
