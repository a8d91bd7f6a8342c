"""`hakshev stream`: send a recording to the service as a live call, print the events it gets.

The recording is cut into frames of `frame_ms` and sent at `speed` × real time over the audio
websocket, while an events websocket prints what comes back (one JSON object per line).
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


def pcm16(audio: np.ndarray) -> np.ndarray:
    """float32 (frames, channels) → interleaved int16."""
    return np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")


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
) -> StreamResult:
    """Stream `audio` (float32, (frames, channels) at `sample_rate`) as one live call.
    `token`: an API key or a session token, sent as `Authorization: Bearer`."""
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
    step = sample_rate * frame_ms // 1000
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with websockets.connect(
        f"{base}/v1/calls/{call_id}/audio", max_size=None, additional_headers=headers
    ) as audio_ws:
        await audio_ws.send(json.dumps(start))
        ack = json.loads(await audio_ws.recv())
        if ack.get("type") != "started":
            result.error = ack
            return result
        listener = asyncio.create_task(_listen(base, call_id, result, on_event, headers))
        t0 = time.perf_counter()
        for i, pos in enumerate(range(0, len(pcm), step)):
            await audio_ws.send(pcm[pos : pos + step].tobytes())
            if speed > 0:  # pace by the clock: frame i is due at i × frame / speed
                delay = t0 + (i + 1) * frame_ms / 1000 / speed - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
        if stop:
            await audio_ws.send(json.dumps({"type": "stop"}))
            reply = json.loads(await audio_ws.recv())
            if reply.get("type") == "stopped":
                result.scorecard = reply["scorecard"]
            else:
                result.error = reply
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(listener, timeout=30 if stop else 0.5)
        listener.cancel()
    return result


async def _listen(
    base: str,
    call_id: str,
    result: StreamResult,
    on_event: Callable[[dict[str, Any]], None] | None,
    headers: dict[str, str] | None = None,
) -> None:
    async with websockets.connect(
        f"{base}/v1/calls/{call_id}/events", max_size=None, additional_headers=headers
    ) as ws:
        async for message in ws:
            event = json.loads(message)
            result.events.append(event)
            if on_event is not None:
                on_event(event)


def print_event(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()
