"""The live service over real websockets on loopback, with the real model and a real SQLite file."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from app.core.config import ROOT, Settings
from app.core.events import Participant
from app.pipeline.analyze import analyze_samples, call_info_for_audio
from app.pipeline.resources import Resources
from app.streamer import pcm16, stream_call
from tests import scripts_en
from tests.accounts import admin_headers, admin_key
from tests.live_server import serve
from tests.synth import SR, Spoken, Turn, render, write_wav

pytestmark = pytest.mark.slow
PEOPLE = [Participant("c", "customer", "Noa"), Participant("r", "rep", "Dana")]
START = {
    "type": "start",
    "language": "en",
    "sample_rate": 16000,
    "encoding": "pcm_s16le",
    "rep_id": "dana",
    "participants": [
        {"id": "c", "role": "customer", "name": "Noa"},
        {"id": "r", "role": "rep", "name": "Dana"},
    ],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    settings = Settings(
        rubrics_dir=ROOT / "rubrics",
        data_dir=tmp_path_factory.mktemp("data"),
        reconnect_grace_s=1.5,
    )
    with serve(settings) as host:
        yield host, settings


@pytest.fixture(scope="module")
def english() -> tuple[np.ndarray, list[Spoken]]:
    return render(scripts_en.TURNS, "en", 2)


@pytest.fixture(scope="module")
def streamed(server: tuple[str, Settings], english: tuple[np.ndarray, list[Spoken]]) -> Any:
    host, _ = server
    audio, _ = english
    return asyncio.run(
        stream_call(
            f"ws://{host}",
            audio,
            PEOPLE,
            language="en",
            call_id="live-en",
            rep_id="dana",
            speed=0,
            token=admin_key(server[1]),
        )
    )


def _of(events: list[dict[str, Any]], type_: str, **match: Any) -> list[dict[str, Any]]:
    return [
        e for e in events if e["type"] == type_ and all(e.get(k) == v for k, v in match.items())
    ]


# --- a whole call ---------------------------------------------------------------------------


def test_stream_gets_transcripts_nudges_and_scorecard(streamed: Any, english: Any) -> None:
    _, spoken = english
    assert streamed.error is None and streamed.scorecard is not None
    finals = _of(streamed.events, "transcript", final=True)
    assert len(finals) >= 15
    assert any("not listening" in e["text"] for e in finals)
    rant = _of(streamed.events, "nudge", rubric="kind_rant_interrupt")
    assert len(rant) == 1 and rant[0]["at"] == pytest.approx(spoken[3].start + 120, abs=1.0)
    takeover = _of(streamed.events, "nudge", kind="take_over")
    assert takeover and takeover[0]["to"] == "r"
    assert _of(streamed.events, "metrics")
    card = _of(streamed.events, "scorecard")[0]["scorecard"]
    assert card == streamed.scorecard
    verdicts = {k: card["verdicts"][k]["verdict"] for k in scripts_en.LABELS}
    assert verdicts == scripts_en.LABELS
    assert all(e["call_id"] == "live-en" for e in streamed.events)


def test_live_and_offline_give_the_same_verdicts_and_nudges(
    resources: Resources, streamed: Any, english: Any
) -> None:
    audio, _ = english
    offline = analyze_samples(resources, call_info_for_audio("off", "en", PEOPLE, 2), audio)
    live = streamed.scorecard
    assert {k: v.verdict for k, v in offline.verdicts.items()} == {
        k: v["verdict"] for k, v in live["verdicts"].items()
    }
    assert [(n.rubric, n.kind, n.at) for n in offline.nudges] == [
        (n["rubric"], n["kind"], n["at"]) for n in live["nudges"]
    ]


def test_the_call_is_stored(server: tuple[str, Settings], streamed: Any, english: Any) -> None:
    host, settings = server
    with httpx.Client(headers=admin_headers(server[1]), base_url=f"http://{host}") as http:
        call = http.get("/v1/calls/live-en").json()
        assert call["status"] == "ended" and call["rep_id"] == "dana" and call["has_audio"]
        assert len(call["utterances"]) == len(_of(streamed.events, "transcript", final=True))
        assert [n["kind"] for n in call["nudges"]] == [
            n["kind"] for n in streamed.scorecard["nudges"]
        ]
        assert (
            http.get("/v1/calls/live-en/scorecard").json()["score"] == streamed.scorecard["score"]
        )
        listed = http.get("/v1/calls", params={"rep": "dana"}).json()
        assert [c["id"] for c in listed["items"]] == ["live-en"]
        assert "listen_first" in listed["items"][0]["failed_rubrics"]
        whole = http.get("/v1/calls/live-en/audio")
        assert whole.status_code == 200 and whole.headers["content-type"] == "audio/wav"
        part = http.get("/v1/calls/live-en/audio", headers={"Range": "bytes=44-1043"})
        assert part.status_code == 206 and len(part.content) == 1000
        assert part.content == whole.content[44:1044]
    wav = settings.audio_dir / "live-en.wav"
    with wave.open(str(wav)) as w:
        assert w.getnchannels() == 2 and w.getframerate() == 16000
        assert w.getnframes() == len(english[0])  # every sample received is in the recording


def test_a_late_subscriber_gets_the_stored_call(
    server: tuple[str, Settings], streamed: Any
) -> None:
    host, _ = server

    async def run() -> list[dict[str, Any]]:
        async with websockets.connect(
            f"ws://{host}/v1/calls/live-en/events", additional_headers=admin_headers(server[1])
        ) as ws:
            return [json.loads(m) async for m in ws]

    events = asyncio.run(run())
    assert events[0]["type"] == "call" and events[-1]["type"] == "scorecard"
    assert len(_of(events, "transcript")) == len(_of(streamed.events, "transcript", final=True))


# --- several calls, dropped calls -----------------------------------------------------------


def _short_call(text: str, greeting: str = "Hello, this is Dana from Lumen.") -> np.ndarray:
    audio, _ = render([Turn(1, greeting), Turn(0, text)], "en", 2)
    return audio


def test_two_calls_at_once_get_only_their_own_events(server: tuple[str, Settings]) -> None:
    host, _ = server
    a = _short_call("I want to cancel because the price went up again.")
    b = _short_call("My television has no signal since Monday morning.")

    async def both() -> list[Any]:
        return await asyncio.gather(
            stream_call(
                f"ws://{host}",
                a,
                PEOPLE,
                language="en",
                call_id="pair-a",
                speed=4,
                token=admin_key(server[1]),
            ),
            stream_call(
                f"ws://{host}",
                b,
                PEOPLE,
                language="en",
                call_id="pair-b",
                speed=4,
                token=admin_key(server[1]),
            ),
        )

    ra, rb = asyncio.run(both())
    for result, word, other in ((ra, "price", "television"), (rb, "television", "price")):
        assert all(e["call_id"] == result.call_id for e in result.events)
        text = " ".join(e["text"] for e in _of(result.events, "transcript")).lower()
        assert word in text and other not in text


async def _send_audio(ws: Any, pcm: np.ndarray, step: int = 1600) -> None:
    for pos in range(0, len(pcm), step):
        await ws.send(pcm[pos : pos + step].tobytes())


def test_disconnect_then_reconnect_continues_the_call(server: tuple[str, Settings]) -> None:
    host, _ = server
    # (Whisper base hears the espeak "Hello, this is Dana from Lumen" alone as "but no, this is
    # kind of from the human": a greeting it hears reliably, to find in the joined transcript)
    audio = _short_call(
        "I would like to cancel my subscription today.", "Good morning, thank you for calling."
    )
    pcm = pcm16(audio)
    half = len(pcm) // 2

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        url = f"ws://{host}/v1/calls/drop-1/audio"
        async with websockets.connect(url, additional_headers=admin_headers(server[1])) as ws:
            await ws.send(json.dumps(START))
            assert json.loads(await ws.recv())["resumed"] is False
            await _send_audio(ws, pcm[:half])
        # dropped without "stop"; back within the grace period
        await asyncio.sleep(0.3)
        async with websockets.connect(url, additional_headers=admin_headers(server[1])) as ws:
            await ws.send(json.dumps(START))
            started = json.loads(await ws.recv())
            await _send_audio(ws, pcm[half:])
            await ws.send(json.dumps({"type": "stop"}))
            stopped = json.loads(await ws.recv())
        return started, stopped

    started, stopped = asyncio.run(run())
    assert started["resumed"] is True and started["at"] == pytest.approx(half / SR, abs=0.01)
    card = stopped["scorecard"]
    assert card["duration"] == pytest.approx(len(pcm) / SR, abs=0.05)
    words = " ".join(u["text"] for u in card["utterances"]).lower()
    assert "thank" in words and "cancel" in words


def test_a_dropped_call_is_scored_after_the_grace_period(server: tuple[str, Settings]) -> None:
    host, settings = server
    pcm = pcm16(_short_call("The internet keeps dropping every evening."))

    async def run() -> list[dict[str, Any]]:
        async with websockets.connect(
            f"ws://{host}/v1/calls/drop-2/audio", additional_headers=admin_headers(server[1])
        ) as ws:
            await ws.send(json.dumps(START))
            await ws.recv()
            await _send_audio(ws, pcm)
            async with websockets.connect(
                f"ws://{host}/v1/calls/drop-2/events", additional_headers=admin_headers(server[1])
            ) as events:
                await ws.close()  # the audio connection drops mid-call
                return [json.loads(m) async for m in events]

    events = asyncio.run(run())
    assert _of(events, "suspended")
    card = _of(events, "scorecard")[0]["scorecard"]
    assert "evening" in " ".join(u["text"] for u in card["utterances"]).lower()
    with httpx.Client(headers=admin_headers(server[1]), base_url=f"http://{host}") as http:
        assert http.get("/v1/calls/drop-2").json()["status"] == "ended"


# --- protocol errors ------------------------------------------------------------------------


async def _error(
    host: str, *messages: str | bytes, call_id: str = "bad", headers: dict[str, str] | None = None
) -> tuple[dict, int]:
    async with websockets.connect(
        f"ws://{host}/v1/calls/{call_id}/audio", additional_headers=headers
    ) as ws:
        reply: dict[str, Any] = {}
        try:
            # The server may refuse before reading a frame (a bad call id in the path): a send
            # after its close is the race, not the error under test.
            for m in messages:
                await ws.send(m)
            async for raw in ws:
                reply = json.loads(raw)
        except ConnectionClosed:
            pass
        assert ws.close_code is not None
        return reply, ws.close_code


def _start(**changes: Any) -> str:
    return json.dumps({**START, **changes})


ODD = np.zeros(3, "<i2").tobytes()
TOO_LONG = np.zeros(16000 * 2 + 2, "<i2").tobytes()


@pytest.mark.parametrize(
    ("messages", "close", "code"),
    [
        ((b"\x00\x00\x00\x00",), 1003, "expected_start"),
        (("{not json",), 1007, "invalid_json"),
        ((json.dumps([1, 2]),), 1007, "invalid_message"),
        ((_start(language="fr"),), 1007, "invalid_start"),
        ((_start(participants=[]),), 1007, "invalid_start"),
        ((_start(colour="blue"),), 1007, "invalid_start"),
        ((_start(sample_rate=44100),), 1008, "unsupported_sample_rate"),
        ((_start(encoding="mulaw"),), 1008, "unsupported_encoding"),
        ((json.dumps({"type": "stop"}),), 1008, "expected_start"),
        ((_start(), ODD), 1007, "bad_frame"),
        ((_start(), TOO_LONG), 1008, "frame_too_long"),
        ((_start(), json.dumps({"type": "dance"})), 1003, "unknown_message"),
    ],
)
def test_protocol_errors_close_with_a_reason(
    server: tuple[str, Settings],
    messages: tuple[str | bytes, ...],
    close: int,
    code: str,
    request: pytest.FixtureRequest,
) -> None:
    host, _ = server
    reply, close_code = asyncio.run(
        _error(
            host,
            *messages,
            call_id=f"bad-{request.node.name[-8:-1]}",
            headers=admin_headers(server[1]),
        )
    )
    assert (reply.get("type"), reply.get("code"), close_code) == ("error", code, close)
    assert reply["message"]


def test_bad_call_id_busy_call_and_ended_call_are_refused(
    server: tuple[str, Settings], streamed: Any
) -> None:
    host, _ = server

    async def busy() -> tuple[dict, int]:
        async with websockets.connect(
            f"ws://{host}/v1/calls/busy-1/audio", additional_headers=admin_headers(server[1])
        ) as first:
            await first.send(_start())
            await first.recv()
            result = await _error(
                host, _start(), call_id="busy-1", headers=admin_headers(server[1])
            )
            await first.send(json.dumps({"type": "stop"}))
            await first.recv()
            return result

    assert (
        asyncio.run(_error(host, _start(), call_id="bad%20id", headers=admin_headers(server[1])))[1]
        == 1008
    )
    reply, close = asyncio.run(busy())
    assert (reply["code"], close) == ("call_busy", 1008)
    reply, close = asyncio.run(
        _error(host, _start(), call_id="live-en", headers=admin_headers(server[1]))
    )
    assert (reply["code"], close) == ("call_exists", 1008)


def test_audio_received_before_an_error_is_kept(server: tuple[str, Settings]) -> None:
    """A bad frame ends the connection, not the call: what came before it is scored."""
    host, _ = server
    pcm = pcm16(_short_call("Please cancel the account by Friday."))

    async def run() -> list[dict[str, Any]]:
        async with websockets.connect(
            f"ws://{host}/v1/calls/keep-1/audio", additional_headers=admin_headers(server[1])
        ) as ws:
            await ws.send(_start())
            await ws.recv()
            await _send_audio(ws, pcm)
            async with websockets.connect(
                f"ws://{host}/v1/calls/keep-1/events", additional_headers=admin_headers(server[1])
            ) as events:
                await ws.send(ODD)
                return [json.loads(m) async for m in events]

    events = asyncio.run(run())
    card = _of(events, "scorecard")[0]["scorecard"]
    assert "friday" in " ".join(u["text"] for u in card["utterances"]).lower()


# --- import and the stream command ---------------------------------------------------------


def test_import_a_recording_and_a_transcript(server: tuple[str, Settings], tmp_path: Path) -> None:
    host, _ = server
    wav = tmp_path / "upload.wav"
    write_wav(wav, _short_call("I am leaving because nobody answered my emails."))
    call_json = (ROOT / "tests/calls/en-cad-licence-winback-vp-opens.call.json").read_bytes()
    with httpx.Client(
        headers=admin_headers(server[1]), base_url=f"http://{host}", timeout=120
    ) as http:
        r = http.post(
            "/v1/calls/import",
            files={"file": ("upload.wav", wav.read_bytes())},
            data={
                "participant": ["customer:Noa", "rep:Dana"],
                "language": "en",
                "call_id": "imported-wav",
            },
        )
        assert r.status_code == 201, r.text
        assert http.get("/v1/calls/imported-wav/audio").status_code == 200
        r = http.post("/v1/calls/import", files={"file": ("c.call.json", call_json)})
        assert r.status_code == 201 and r.json()["call_id"] == "en-cad-licence-winback-vp-opens"
        again = http.post("/v1/calls/import", files={"file": ("c.call.json", call_json)})
        assert again.status_code == 409
        stored = http.get("/v1/calls/en-cad-licence-winback-vp-opens").json()
        assert stored["has_audio"] is False and stored["utterances"]
        assert http.get("/v1/calls/en-cad-licence-winback-vp-opens/audio").status_code == 404
        assert http.get("/v1/calls/nope").status_code == 404


def test_list_filters_and_pagination(server: tuple[str, Settings], streamed: Any) -> None:
    host, _ = server
    with httpx.Client(headers=admin_headers(server[1]), base_url=f"http://{host}") as http:
        everything = http.get("/v1/calls", params={"limit": 500}).json()
        assert everything["total"] >= 2
        page = http.get("/v1/calls", params={"limit": 1, "offset": 1}).json()
        assert page["items"][0]["id"] == everything["items"][1]["id"]
        low = http.get("/v1/calls", params={"max_score": 40}).json()["items"]
        assert all(c["score"] is not None and c["score"] <= 40 for c in low)
        assert http.get("/v1/calls", params={"outcome": "nope"}).status_code == 422
        assert (
            http.get("/v1/calls", params={"date_from": "2000-01-01"}).json()["total"]
            == (everything["total"])
        )
        assert http.get("/v1/calls", params={"date_to": "2000-01-01"}).json()["total"] == 0


def test_hakshev_stream_prints_the_events(server: tuple[str, Settings], tmp_path: Path) -> None:
    host, _ = server
    wav = tmp_path / "call.wav"
    write_wav(wav, _short_call("Can you tell me why my invoice doubled this month?"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "stream",
            str(wav),
            "--url",
            f"ws://{host}",
            "--speed",
            "0",
            "--participant",
            "customer:Noa",
            "--participant",
            "rep:Dana",
            "--call-id",
            "cli-stream",
            "--token",
            admin_key(server[1]),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[-1]["type"] == "scorecard"
    assert "why my" in " ".join(e.get("text", "") for e in events).lower()
