"""`hakshev stream`: send a recording to the service as a live call, print the events it gets.

The recording is cut into frames of `frame_ms` and sent at `speed` × real time over the audio
websocket, while an events websocket prints what comes back (one JSON object per line). A call
the service already has live (a dropped connection, a restarted server) is resumed where the
service has it; `reconnect_s` keeps trying after a connection breaks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import websockets

from app.core.events import Participant


@dataclass
class StreamResult:
    call_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    scorecard: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    # One entry per reconnect: how far the audio had been sent when the connection dropped and
    # where the service said the call stood (`at`, s), i.e. where sending went on from.
    resumes: list[dict[str, float]] = field(default_factory=list)


# Close codes after which a reconnect makes sense: none received (the connection broke), going
# away, internal error, service restart, try again later. Any other code is a refusal.
_RETRY_CODES = (1001, 1006, 1011, 1012, 1013)


def pcm16(audio: np.ndarray) -> np.ndarray:
    """float32 (frames, channels) → interleaved int16."""
    return np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")


def _retryable(exc: BaseException) -> bool:
    """A broken connection or a service not (yet) up, rather than a refusal."""
    if isinstance(exc, websockets.ConnectionClosed):
        return exc.rcvd is None or exc.rcvd.code in _RETRY_CODES
    if isinstance(exc, websockets.InvalidStatus):
        return exc.response.status_code >= 500
    # refused or reset connections, a half-started server's broken handshakes, timeouts
    return isinstance(exc, OSError | asyncio.TimeoutError | websockets.InvalidHandshake | EOFError)


async def stream_call(
    base_url: str,
    audio: np.ndarray,
    participants: list[Participant],
    *,
    language: str,
    sample_rate: int = 16000,
    call_id: str | None = None,
    rep_id: str | None = None,
    speed: float = 1.0,
    frame_ms: int = 100,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    stop: bool = True,
    token: str | None = None,
    reconnect_s: float = 0.0,
) -> StreamResult:
    """Stream `audio` (float32, (frames, channels) at `sample_rate`) as one live call.
    `token`: an API key or a session token, sent as `Authorization: Bearer`.

    When the service answers `started` with `resumed: true` (this call id is live there: a
    dropped connection, or a server restarted mid-call), sending goes on from the sample frame
    it names. With `reconnect_s`, a connection that breaks (not a refusal) is retried for up to
    that long and the call resumed the same way; the events socket reconnects too, and events
    already received are not repeated."""
    call_id = call_id or f"stream-{uuid.uuid4().hex[:10]}"
    result = StreamResult(call_id)
    base = base_url.rstrip("/")
    start = {
        "type": "start",
        "language": language,
        "sample_rate": sample_rate,
        "encoding": "pcm_s16le",
        "rep_id": rep_id,
        "participants": [{"id": p.id, "role": p.role, "name": p.name} for p in participants],
    }
    pcm = pcm16(audio)
    step = max(1, sample_rate * frame_ms // 1000)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    listener: asyncio.Task[None] | None = None
    pos = 0  # the next sample frame to send
    t0: float | None = None
    dropped_at: float | None = None  # monotonic time of the last drop
    try:
        while True:
            try:
                async with websockets.connect(
                    f"{base}/v1/calls/{call_id}/audio", max_size=None, additional_headers=headers
                ) as audio_ws:
                    await audio_ws.send(json.dumps(start))
                    ack = json.loads(await audio_ws.recv())
                    if ack.get("type") != "started":
                        result.error = ack
                        return result
                    if ack.get("resumed"):
                        sent_s = pos / sample_rate
                        at = float(ack.get("at", 0.0))
                        pos = min(int(ack.get("samples", round(at * sample_rate))), len(pcm))
                        result.resumes.append({"sent_s": sent_s, "at": pos / sample_rate})
                    if listener is None:
                        listener = asyncio.create_task(
                            _listen(base, call_id, result, on_event, headers, reconnect_s > 0)
                        )
                    if t0 is None:  # frame n is due at t0 + n / rate / speed
                        t0 = time.perf_counter() - pos / sample_rate / max(speed, 1e-9)
                    dropped_at = None
                    while pos < len(pcm):
                        await audio_ws.send(pcm[pos : pos + step].tobytes())
                        pos = min(pos + step, len(pcm))
                        if speed > 0:
                            delay = t0 + pos / sample_rate / speed - time.perf_counter()
                            if delay > 0:
                                await asyncio.sleep(delay)
                    if not stop:
                        break
                    await audio_ws.send(json.dumps({"type": "stop"}))
                    reply = json.loads(await audio_ws.recv())
                    if reply.get("type") == "stopped":
                        result.scorecard = reply["scorecard"]
                    else:
                        result.error = reply
                    break
            except Exception as exc:
                if isinstance(exc, websockets.ConnectionClosed) and not _retryable(exc):
                    assert exc.rcvd is not None  # the service closed it: a refusal, with reason
                    result.error = {
                        "type": "error",
                        "code": f"closed_{exc.rcvd.code}",
                        "message": exc.rcvd.reason or f"closed with code {exc.rcvd.code}",
                    }
                    break
                if reconnect_s <= 0 or not _retryable(exc):
                    raise
                now = time.monotonic()
                dropped_at = dropped_at or now
                if now - dropped_at > reconnect_s:
                    raise
                await asyncio.sleep(0.5)
        if listener is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(listener), timeout=30 if stop else 0.5)
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
    return result


async def _listen(
    base: str,
    call_id: str,
    result: StreamResult,
    on_event: Callable[[dict[str, Any]], None] | None,
    headers: dict[str, str] | None = None,
    reconnect: bool = False,
) -> None:
    """The call's events until the service closes the socket normally; with `reconnect`, a
    broken socket is reopened, and what the service sends again (what a late subscriber gets)
    is not repeated."""
    seen: set[str] = set()
    while True:
        try:
            async with websockets.connect(
                f"{base}/v1/calls/{call_id}/events", max_size=None, additional_headers=headers
            ) as ws:
                async for message in ws:
                    event = json.loads(message)
                    key = json.dumps(event, sort_keys=True)
                    if key in seen:
                        continue
                    seen.add(key)
                    result.events.append(event)
                    if on_event is not None:
                        on_event(event)
            return
        except Exception as exc:
            if not reconnect or not _retryable(exc):
                raise
            await asyncio.sleep(0.5)


def print_event(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()
