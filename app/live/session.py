"""One live call: its pipeline, its recording, its transcription queue and its subscribers.

All engine work for a call runs in the call's own worker thread, in arrival order (voice
activity and the engine are quick, but they are model and CPU work: never on the event loop).
Transcriptions run in the shared transcription service; final transcripts are handed back to the
engine strictly in the order their utterances ended, partials whenever they are ready (or not at
all, when the service is behind). Every event goes to the subscribers as JSON and, when it is
final, to the database as it happens — so nothing is lost if the connection drops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import wave
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import soxr

from app.audio.vad import SAMPLE_RATE
from app.core.events import CallError, Finding, Nudge, Participant, Transcript, UtteranceAudio
from app.engine.state import CallInfo
from app.live.protocol import StartMessage
from app.pipeline.call import CallPipeline, PipelineEvent
from app.pipeline.resources import Resources
from app.store import repo

if TYPE_CHECKING:
    from app.judge.runner import JudgeRunner

logger = logging.getLogger(__name__)

Event = dict[str, Any]
DbWrite = Callable[..., Awaitable[Any]]
SUBSCRIBER_QUEUE = 5000


class Subscriber:
    """One events socket's queue. A subscriber that falls far behind is dropped (it reconnects
    and gets the history again) rather than slowing the call."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(SUBSCRIBER_QUEUE)
        self.overflowed = False

    def put(self, event: Event | None) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True


class LiveCall:
    judge: JudgeRunner | None = None  # the optional LLM judge, set by the hub

    def __init__(
        self,
        call_id: str,
        start: StartMessage,
        resources: Resources,
        db_write: DbWrite,
        recording: Path,
    ) -> None:
        self.call_id = call_id
        self.start = start
        self.resources = resources
        self.db_write = db_write
        people = tuple(Participant(p.id, p.role, p.name) for p in start.participants)
        self.info = CallInfo(call_id, start.language, people)
        self.roles = {p.id: p.role for p in people}
        self.engine = resources.engine(self.info)
        self.pipeline = CallPipeline(
            self.engine, partial_interval_s=resources.settings.partial_interval_s, speculate=True
        )
        self.transcriber = resources.transcriber(start.language)
        self.resampler = (
            soxr.ResampleStream(start.sample_rate, SAMPLE_RATE, start.channels, dtype="float32")
            if start.sample_rate != SAMPLE_RATE
            else None
        )
        self.recording_path = recording
        recording.parent.mkdir(parents=True, exist_ok=True)
        self._recording = recording.open("ab")
        self._worker = ThreadPoolExecutor(1, thread_name_prefix=f"call-{call_id[:20]}")
        self.subscribers: set[Subscriber] = set()
        self.history: list[Event] = []
        self._latest_metrics: Event | None = None
        self._finals: asyncio.Queue[tuple[UtteranceAudio, asyncio.Future[Any]] | None] = (
            asyncio.Queue()
        )
        self._final_done: set[tuple[str, int]] = set()
        self._drain_task = asyncio.create_task(self._drain_finals(), name=f"finals-{call_id}")
        self._tasks: set[asyncio.Task[Any]] = set()
        self._last_metrics = 0.0
        self.status = "live"
        self.producer_connected = True
        self.grace: asyncio.TimerHandle | None = None
        self.scorecard: dict[str, Any] | None = None
        self.finished = asyncio.Event()

    # --- events out -------------------------------------------------------------------------
    def call_event(self) -> Event:
        return {
            "type": "call",
            "call_id": self.call_id,
            "status": self.status,
            "language": self.info.language,
            "rep_id": self.start.rep_id,
            "title": self.start.title,
            "participants": [p.model_dump() for p in self.start.participants],
            "at": round(self.pipeline.now, 2),
        }

    def publish(self, event: Event, *, keep: bool = True) -> None:
        event.setdefault("call_id", self.call_id)
        if keep:
            self.history.append(event)
        elif event["type"] == "metrics":
            self._latest_metrics = event
        for sub in list(self.subscribers):
            sub.put(event)

    def backlog(self) -> list[Event]:
        """What a subscriber joining now has missed: the call so far, then the newest metrics."""
        events = [self.call_event(), *self.history]
        if self._latest_metrics is not None:
            events.append(self._latest_metrics)
        return events

    def _transcript_event(self, t: Transcript) -> Event:
        return {
            "type": "transcript",
            "speaker": t.speaker,
            "role": self.roles.get(t.speaker, ""),
            "start": round(t.start, 2),
            "end": round(t.end, 2),
            "text": t.text,
            "final": t.final,
            "utterance_id": t.utterance_id,
        }

    # --- audio in ---------------------------------------------------------------------------
    def _feed_sync(self, data: bytes) -> tuple[list[PipelineEvent], Event | None]:
        self._recording.write(data)
        pcm = np.frombuffer(data, dtype="<i2").reshape(-1, self.start.channels)
        frames = pcm.astype(np.float32) / 32768.0
        if self.resampler is not None:
            frames = self.resampler.resample_chunk(frames)
        events = self.pipeline.feed(frames) if len(frames) else []
        return events, self._metrics_due()

    def _metrics_due(self, force: bool = False) -> Event | None:
        now = self.pipeline.now
        if not force and now - self._last_metrics < self.resources.settings.metrics_interval_s:
            return None
        self._last_metrics = now
        m = self.engine.metrics()
        return {
            "type": "metrics",
            "at": round(now, 2),
            "talk_share": m.talk_share,
            "company_share": m.company_share,
            "customer_share": m.customer_share,
            "floor": m.floor,
            "floor_speaker": m.floor_speaker,
            "floor_seconds": m.floor_seconds,
            "monologue_seconds": m.floor_seconds,
            "take_overs": m.take_overs,
            "offers": m.offers,
            "longest_monologue": m.longest_monologue,
        }

    async def _in_worker(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._worker, fn, *args)

    async def feed(self, data: bytes) -> None:
        events, metrics = await self._in_worker(self._feed_sync, data)
        await self._handle(events)
        if metrics is not None:
            self.publish(metrics, keep=False)

    async def _handle(self, events: list[Any]) -> None:
        for ev in events:
            if isinstance(ev, UtteranceAudio):
                self._submit(ev)
            elif isinstance(ev, Nudge):
                self.publish({"type": "nudge", **asdict(ev)})
                await self.db_write(repo.add_nudge, self.call_id, ev)
            elif isinstance(ev, Finding):
                self.publish({"type": "finding", **asdict(ev)})
                await self.db_write(repo.add_finding, self.call_id, ev)
            elif isinstance(ev, CallError):
                self.publish(
                    {
                        "type": "error",
                        "code": "stage_failed",
                        "stage": ev.stage,
                        "message": ev.message,
                        "at": ev.at,
                    }
                )

    def _submit(self, utt: UtteranceAudio) -> None:
        future = asyncio.wrap_future(
            self.resources.asr.submit(self.call_id, self.transcriber, utt, self.info.language)
        )
        if utt.final:
            self._finals.put_nowait((utt, future))
        elif not utt.speculative:
            future.add_done_callback(lambda f, u=utt: self._partial_done(u, f))

    def _partial_done(self, utt: UtteranceAudio, future: asyncio.Future[Any]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        result = future.result()
        if result is None or not result.text or (utt.speaker, utt.utterance_id) in self._final_done:
            return
        t = Transcript(utt.speaker, utt.start, utt.end, result.text, False, utt.utterance_id)
        self.publish(self._transcript_event(t), keep=False)

    async def _drain_finals(self) -> None:
        """Final transcripts, in the order their utterances ended, into the engine and the store."""
        while True:
            item = await self._finals.get()
            if item is None:
                self._finals.task_done()
                return
            utt, future = item
            try:
                result = await future
            except Exception as exc:  # a failed transcription is an error event, not a dead call
                logger.warning("call %s: transcription failed: %s", self.call_id, exc)
                self.publish(
                    {
                        "type": "error",
                        "code": "transcription_failed",
                        "stage": "asr",
                        "message": str(exc),
                        "at": round(utt.end, 2),
                    }
                )
                result = None
            self._final_done.add((utt.speaker, utt.utterance_id))
            if result is not None and result.text:
                t = Transcript(utt.speaker, utt.start, utt.end, result.text, True, utt.utterance_id)
                await self.db_write(repo.add_utterance, self.call_id, t)
                self.publish(self._transcript_event(t))
                await self._handle(await self._in_worker(self.pipeline.add_transcript, t))
            self._finals.task_done()

    # --- the end ----------------------------------------------------------------------------
    async def finish(self) -> dict[str, Any]:
        """Close the turns, wait for every final transcript, score, store, tell subscribers."""
        if self.status == "ended":
            assert self.scorecard is not None
            return self.scorecard
        self.status = "finishing"
        if self.grace is not None:
            self.grace.cancel()
        tail = (
            self.resampler.resample_chunk(np.zeros((0, self.start.channels), np.float32), last=True)
            if self.resampler is not None
            else None
        )
        if tail is not None and len(tail):
            events = await self._in_worker(self.pipeline.feed, tail)
            await self._handle(events)
        await self._handle(await self._in_worker(self.pipeline.close))
        await self._finals.join()
        self._finals.put_nowait(None)
        await self._drain_task
        card = await self._in_worker(lambda: self.pipeline.finish().to_dict())
        card["rep_id"] = self.start.rep_id
        wav = await self._in_worker(self._close_recording)
        await self.db_write(repo.finish_call, self.call_id, card, str(wav))
        self.scorecard = card
        self.status = "ended"
        metrics = self._metrics_due(force=True)
        if metrics is not None:
            self.publish(metrics, keep=False)
        self.publish({"type": "scorecard", "scorecard": card})
        if self.judge is not None:
            # The optional LLM judge runs now, in the background (the stop above never waits
            # for it); subscribers stay to get its notes and errors, then the stream ends.
            judging = self.judge.schedule(self.call_id, card, self.publish)
            judging.add_done_callback(lambda _task: self._end_streams())
        else:
            self._end_streams()
        self._worker.shutdown(wait=False)
        self.finished.set()
        return card

    def _end_streams(self) -> None:
        for sub in list(self.subscribers):
            sub.put(None)  # end of stream

    def _close_recording(self) -> Path:
        """The raw PCM received so far becomes a WAV file (the format it came in)."""
        self._recording.close()
        wav = self.recording_path.with_suffix(".wav")
        with wave.open(str(wav), "wb") as w, self.recording_path.open("rb") as raw:
            w.setnchannels(self.start.channels)
            w.setsampwidth(2)
            w.setframerate(self.start.sample_rate)
            while block := raw.read(1 << 20):
                w.writeframes(block)
        with contextlib.suppress(OSError):
            self.recording_path.unlink()
        return wav
