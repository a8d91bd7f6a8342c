""" "Simulate a call": a demo transcript spoken by espeak-ng, fed in real time through the call hub.

The demo calls are the labelled transcripts of `HAKSHEV_DEMO_CALLS_DIR`. The chosen one is
rendered once to a recording with one channel per participant, each utterance at the time the
transcript gives it (cached under `HAKSHEV_CACHE_DIR/demo/`), then streamed to the same
`CallHub` a softphone's audio goes to — `hub.open`, then `live.feed` with 100 ms frames paced by
the loop's clock (`asyncio.sleep`), `speed` times real time. The call's time still comes from
the samples, so a faster simulation gets the same nudges at the same call times.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from starlette.concurrency import run_in_threadpool

from app.demo import speak
from app.live.hub import CallHub
from app.live.protocol import StartMessage
from app.live.session import LiveCall
from app.pipeline.callfile import CallFile, CallFileError, load_call

logger = logging.getLogger(__name__)

FRAME_MS = 100
RENDER_VERSION = "1"  # bump when the rendering changes: cached recordings are made again


class DemoError(ValueError):
    pass


@dataclass(frozen=True)
class DemoCall:
    name: str
    language: str
    title: str
    duration: float
    participants: list[dict[str, str]]


def demo_calls(folder: Path | None) -> list[DemoCall]:
    """The demo calls on offer: every valid `*.call.json` of `folder`."""
    if folder is None or not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.call.json")):
        try:
            call = load_call(path)
        except CallFileError:
            continue
        out.append(
            DemoCall(
                path.name.removesuffix(".call.json"),
                call.language,
                call.title,
                round(max((u.end for u in call.utterances), default=0.0), 1),
                [p.model_dump() for p in call.participants],
            )
        )
    return out


def find_demo_call(folder: Path | None, name: str) -> tuple[Path, CallFile]:
    if folder is None:
        raise DemoError("no demo calls here (HAKSHEV_DEMO_CALLS_DIR is not set)")
    path = folder / f"{name}.call.json"
    # `name` comes from a request: it must name a file directly inside the folder.
    if path.parent.resolve() != folder.resolve() or not path.is_file():
        raise DemoError(f"no demo call {name!r}")
    try:
        return path, load_call(path)
    except CallFileError as exc:
        raise DemoError(str(exc)) from exc


def rendered(path: Path, call: CallFile, cache_dir: Path) -> np.ndarray:
    """The call spoken, (frames, participants) float32 at 16 kHz; made once, then cached."""
    digest = hashlib.sha256(path.read_bytes() + RENDER_VERSION.encode()).hexdigest()[:16]
    cached = cache_dir / "demo" / f"{path.name.removesuffix('.call.json')}-{digest}.wav"
    if cached.exists():
        return speak.read_wav(cached)
    channel = {p.id: i for i, p in enumerate(call.participants)}
    utterances = [
        (channel[u.speaker], u.start, u.end, u.text)
        for u in call.utterances
        if u.speaker in channel and u.text.strip()
    ]
    audio = speak.render_timed(utterances, call.language, len(call.participants))
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{uuid.uuid4().hex[:6]}.tmp")
    speak.write_wav(tmp, audio)
    tmp.replace(cached)
    return audio


class Simulator:
    """The simulations running in this process (one task each), stopped on request or at exit."""

    def __init__(self, hub: CallHub, folder: Path | None, cache_dir: Path) -> None:
        self.hub = hub
        self.folder = folder
        self.cache_dir = cache_dir
        self.tasks: dict[str, tuple[asyncio.Task[None], asyncio.Event]] = {}

    async def start(self, name: str, rep_id: str, speed: float = 1.0) -> str:
        """Open the live call and start streaming it; returns its call id at once."""
        path, call = find_demo_call(self.folder, name)
        audio = await run_in_threadpool(rendered, path, call, self.cache_dir)
        start = StartMessage.model_validate(
            {
                "type": "start",
                "language": call.language,
                "sample_rate": speak.SR,
                "encoding": "pcm_s16le",
                "participants": [p.model_dump() for p in call.participants],
                "rep_id": rep_id,
                "title": f"{call.title}"[:500],
            }
        )
        call_id = f"sim-{name[:80]}-{uuid.uuid4().hex[:8]}"
        # The rubric examples' embeddings are built on first use: off the loop, before the call.
        await run_in_threadpool(lambda: self.hub.resources.signals)
        live, _ = await self.hub.open(call_id, start)
        pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")
        stop = asyncio.Event()
        task = asyncio.create_task(self._stream(live, pcm, speed, stop), name=f"sim-{call_id}")
        self.tasks[call_id] = (task, stop)
        task.add_done_callback(lambda _t: self.tasks.pop(call_id, None))
        return call_id

    async def _stream(
        self, live: LiveCall, pcm: np.ndarray, speed: float, stop: asyncio.Event
    ) -> None:
        step = speak.SR * FRAME_MS // 1000
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        try:
            for i, pos in enumerate(range(0, len(pcm), step)):
                if live.status != "live" or stop.is_set():
                    break
                await live.feed(pcm[pos : pos + step].tobytes())
                delay = t0 + (i + 1) * FRAME_MS / 1000 / speed - loop.time()
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), delay)
        except Exception:
            logger.exception("simulated call %s failed", live.call_id)
        if live.status == "live":
            await self.hub.finish(live)

    def running(self, call_id: str) -> bool:
        return call_id in self.tasks

    async def stop(self, call_id: str) -> bool:
        """End a simulation now: the call is finished and scored with what was sent so far."""
        entry = self.tasks.get(call_id)
        if entry is None:
            return False
        task, stop = entry
        stop.set()
        await asyncio.shield(task)
        return True

    async def close(self) -> None:
        for call_id in list(self.tasks):
            await self.stop(call_id)
