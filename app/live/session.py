"""One live call: its pipeline, its recording, its transcription queue and its subscribers.

All engine work for a call runs in the call's own worker thread, in arrival order (voice
activity and the engine are quick, but they are model and CPU work: never on the event loop).
Transcriptions run in the shared transcription service; final transcripts are handed back to the
engine strictly in the order their utterances ended, partials whenever they are ready (or not at
all, when the service is behind). Every event goes to the subscribers as JSON and, when it is
final, to the database as it happens — so nothing is lost if the connection drops.

The recording is appended as the audio comes (flushed at every message, synced to disk about
every second), so a server that dies loses at most the last second. After a restart a call the
database still has as live is rebuilt by `restore`: its recording runs through the same pipeline
again, faster than real time in the call's worker thread, with the stored transcripts standing in
for Whisper (only utterances whose text was not stored yet are transcribed), so the engine, the
history and the call time are where they were; the client resumes from `resume_at`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import wave
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
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
from app.privacy import redactor_for
from app.privacy.audio import Span, merge, private_spans, silence_pcm
from app.privacy.redact import has_placeholder, placeholders
from app.store import repo

if TYPE_CHECKING:
    from app.judge.runner import JudgeRunner

logger = logging.getLogger(__name__)

Event = dict[str, Any]
DbWrite = Callable[..., Awaitable[Any]]
SUBSCRIBER_QUEUE = 5000
SYNC_EVERY_S = 1.0  # the recording is fsynced after about this much audio
REPLAY_CHUNK_S = 0.1  # a restored call's audio goes through the pipeline in pieces this long


@dataclass
class StoredCall:
    """What the database holds of a call that was live when the server stopped."""

    utterances: list[Transcript] = field(default_factory=list)
    nudges: list[tuple[str, str, float]] = field(default_factory=list)  # rubric, kind, at
    findings: list[tuple[str, str, float]] = field(default_factory=list)


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
        self.frames_received = 0  # sample frames (at the call's own rate) in the recording
        self._synced_frames = 0
        # Set once the call can take audio: at once for a new call, after `restore` otherwise.
        self.restored = asyncio.Event()
        self.restored.set()
        self._worker = ThreadPoolExecutor(1, thread_name_prefix=f"call-{call_id[:20]}")
        self.subscribers: set[Subscriber] = set()
        self.history: list[Event] = []
        self._latest_metrics: Event | None = None
        self._finals: asyncio.Queue[tuple[UtteranceAudio, asyncio.Future[Any]] | None] = (
            asyncio.Queue()
        )
        self._final_done: set[tuple[str, int]] = set()
        # texts of the pieces sent ahead of utterances not final yet (for partials on show)
        self._pieces_heard: dict[tuple[str, int], dict[float, str]] = {}
        self._drain_task = asyncio.create_task(self._drain_finals(), name=f"finals-{call_id}")
        self._tasks: set[asyncio.Task[Any]] = set()
        self._last_metrics = 0.0
        self.status = "live"
        self.producer_connected = True
        self.grace: asyncio.TimerHandle | None = None
        self.scorecard: dict[str, Any] | None = None
        self.finished = asyncio.Event()
        # Private data: transcripts are redacted before they reach the engine, the store or a
        # subscriber; where a redaction hit, the words' audio is found (in the background) and
        # silenced in the recording when the call ends.
        self.redactor = redactor_for(resources.settings)
        self._private: list[Span] = []
        self._silencing: set[asyncio.Future[Any]] = set()

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
    @property
    def resume_at(self) -> float:
        """Call time up to which audio has been received (where a resuming client goes on)."""
        return self.frames_received / self.start.sample_rate

    def _feed_sync(self, data: bytes) -> tuple[list[PipelineEvent], Event | None]:
        self._recording.write(data)
        self._recording.flush()  # a killed server keeps what the kernel has
        self.frames_received += len(data) // self.start.frame_bytes
        if self.frames_received - self._synced_frames >= SYNC_EVERY_S * self.start.sample_rate:
            os.fsync(self._recording.fileno())  # and a crashed machine what the disk has
            self._synced_frames = self.frames_received
        return self._process(data), self._metrics_due()

    def _process(self, data: bytes) -> list[PipelineEvent]:
        pcm = np.frombuffer(data, dtype="<i2").reshape(-1, self.start.channels)
        frames = pcm.astype(np.float32) / 32768.0
        if self.resampler is not None:
            frames = self.resampler.resample_chunk(frames)
        return self.pipeline.feed(frames) if len(frames) else []

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
                self.db_write(repo.add_nudge, self.call_id, ev)  # queued in order; no wait
            elif isinstance(ev, Finding):
                self.publish({"type": "finding", **asdict(ev)})
                self.db_write(repo.add_finding, self.call_id, ev)
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
        """A partial or a piece sent ahead is transcribed: show the utterance so far (the
        pieces before it, then its own text) until the final replaces it."""
        if future.cancelled() or future.exception() is not None:
            return
        result = future.result()
        key = (utt.speaker, utt.utterance_id)
        if key in self._final_done:
            return
        text = result.text if result is not None else ""
        pieces = self._pieces_heard.setdefault(key, {})
        if utt.ahead:
            pieces[utt.start] = text
        if not text:
            return
        before = [t for start, t in sorted(pieces.items()) if start < utt.start and t]
        shown = self._redact(" ".join([*before, text]), partial=True)[0]
        start = utt.start if utt.utterance_start is None else utt.utterance_start
        t = Transcript(utt.speaker, start, utt.end, shown, False, utt.utterance_id)
        self.publish(self._transcript_event(t), keep=False)

    # --- private data -----------------------------------------------------------------------
    def _redact(self, text: str, *, partial: bool = False) -> tuple[str, int]:
        """The text with private data replaced, and how many pieces of it there were."""
        if self.redactor is None:
            return text, 0
        redacted = self.redactor.redact(text, partial=partial)
        return redacted.text, len(redacted.hits)

    def _find_private(self, utt: UtteranceAudio, expected: int) -> None:
        """Locate the private words of `utt` in its audio, off the loop and off the call's
        worker (a Whisper pass); the spans are silenced when the recording is closed."""
        assert self.redactor is not None
        job = asyncio.get_running_loop().run_in_executor(None, self._spans_now, utt, expected)
        self._silencing.add(job)
        job.add_done_callback(self._spans_found)

    def _spans_found(self, job: asyncio.Future[Any]) -> None:
        self._silencing.discard(job)
        if not job.cancelled() and job.exception() is None:
            self._private += job.result()

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
            self._pieces_heard.pop((utt.speaker, utt.utterance_id), None)
            if result is not None and result.text:
                # (a few ms of regular expressions and number parsing: in the call's worker)
                text, private = await self._in_worker(self._redact, result.text)
                if private:
                    self._find_private(utt, private)
                t = Transcript(utt.speaker, utt.start, utt.end, text, True, utt.utterance_id)
                self.db_write(repo.add_utterance, self.call_id, t)  # queued in order; no wait
                self.publish(self._transcript_event(t))
                await self._handle(await self._in_worker(self.pipeline.add_transcript, t))
            self._finals.task_done()

    # --- the end ----------------------------------------------------------------------------
    async def finish(self) -> dict[str, Any]:
        """Close the turns, wait for every final transcript, score, store, tell subscribers."""
        if self.status == "ended":
            assert self.scorecard is not None
            return self.scorecard
        await self.restored.wait()
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
        if self._silencing:  # private words still being located in the audio
            await asyncio.gather(*list(self._silencing), return_exceptions=True)
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

    # --- after a restart --------------------------------------------------------------------
    async def restore(self, stored: StoredCall) -> None:
        """Rebuild the call from its recording and what was stored (see the module's doc)."""
        self.restored.clear()
        began = time.perf_counter()
        try:
            outputs = await self._in_worker(self._replay, stored)
            logger.info(
                "call %s rebuilt after a restart: %.1f s of audio in %.1f s, %d stored utterances",
                self.call_id,
                self.resume_at,
                time.perf_counter() - began,
                len(stored.utterances),
            )
        except Exception as exc:
            logger.exception("call %s: restoring after the restart failed", self.call_id)
            self.publish(
                {
                    "type": "error",
                    "code": "restore_failed",
                    "stage": "restore",
                    "message": f"the call could not be rebuilt after a restart: {exc}",
                    "at": round(self.pipeline.now, 2),
                }
            )
            outputs = []
        nudges, findings = Counter(stored.nudges), Counter(stored.findings)
        for out in outputs:
            if isinstance(out, Transcript):
                self._final_done.add((out.speaker, out.utterance_id))
                self.publish(self._transcript_event(out))
            elif isinstance(out, tuple):  # a transcript Whisper had not given before the restart
                t, new = out
                if new:
                    self.db_write(repo.add_utterance, self.call_id, t)
            elif isinstance(out, Nudge | Finding):
                kind = "nudge" if isinstance(out, Nudge) else "finding"
                seen = nudges if isinstance(out, Nudge) else findings
                key = (out.rubric, out.kind, round(out.at, 3))
                self.publish({"type": kind, **asdict(out)})
                if seen[key] > 0:
                    seen[key] -= 1
                else:  # made after the last write that reached the database
                    add = repo.add_nudge if isinstance(out, Nudge) else repo.add_finding
                    self.db_write(add, self.call_id, out)
            elif isinstance(out, CallError):
                await self._handle([out])
        self._last_metrics = self.pipeline.now
        self.restored.set()

    def _replay(self, stored: StoredCall) -> list[Any]:
        """In the call's worker: the recording through the pipeline; final utterances take their
        stored text, in the order they end; those after the last stored one are transcribed."""
        self._recording.close()
        path = self.recording_path
        size = path.stat().st_size if path.exists() else 0
        whole = size - size % self.start.frame_bytes  # a frame cut short by the crash goes
        if whole != size:
            os.truncate(path, whole)
        texts = {(u.speaker, round(u.start, 3), round(u.end, 3)): u.text for u in stored.utterances}
        out: list[Any] = []
        pending: list[UtteranceAudio] = []  # finals with no stored text yet

        def take(events: list[Any]) -> None:
            for ev in events:
                if isinstance(ev, UtteranceAudio):
                    if not ev.final:
                        continue
                    text = texts.get((ev.speaker, round(ev.start, 3), round(ev.end, 3)))
                    if text is None:
                        pending.append(ev)
                        continue
                    # Finals are stored in the order they end: one stored later than a pending
                    # one means that one had no text (silence) or failed; it is done.
                    pending.clear()
                    if has_placeholder(text):  # redacted before the restart: find it again
                        self._private += self._spans_now(ev, placeholders(text))
                    t = Transcript(ev.speaker, ev.start, ev.end, text, True, ev.utterance_id)
                    out.append(t)
                    take(self.pipeline.add_transcript(t))
                elif isinstance(ev, Nudge | Finding | CallError):
                    out.append(ev)

        step = max(1, int(REPLAY_CHUNK_S * self.start.sample_rate)) * self.start.frame_bytes
        with path.open("rb") if whole else contextlib.nullcontext(None) as raw:
            while raw is not None and (block := raw.read(step)):
                take(self._process(block))
        self.frames_received = self._synced_frames = whole // self.start.frame_bytes
        asr = self.resources.asr
        jobs = [
            (u, asr.submit(self.call_id, self.transcriber, u, self.info.language)) for u in pending
        ]
        for utt, job in jobs:
            try:
                result = job.result()
            except Exception as exc:
                out.append(CallError("asr", f"transcription failed: {exc}", round(utt.end, 2)))
                continue
            if result is None or not result.text:
                continue
            text, private = self._redact(result.text)
            if private:
                self._private += self._spans_now(utt, private)
            t = Transcript(utt.speaker, utt.start, utt.end, text, True, utt.utterance_id)
            out += [t, (t, True)]
            take(self.pipeline.add_transcript(t))
        self._recording = path.open("ab")
        return out

    def _spans_now(self, utt: UtteranceAudio, expected: int) -> list[Span]:
        """The spans of `utt`'s private words in the audio (a blocking Whisper pass: in an
        executor for a live call, in the call's worker while it is rebuilt)."""
        if self.redactor is None:
            return []
        return private_spans(
            self.transcriber,
            self.redactor,
            utt.samples,
            self.info.language,
            utt.start,
            utt.end,
            expected,
        )

    def _end_streams(self) -> None:
        for sub in list(self.subscribers):
            sub.put(None)  # end of stream

    def _close_recording(self) -> Path:
        """The raw PCM received so far becomes a WAV file (the format it came in), with the
        spans that said private data silenced (all channels: see app.privacy.audio)."""
        self._recording.close()
        if self._private:
            silence_pcm(
                self.recording_path,
                merge(self._private),
                self.start.sample_rate,
                self.start.channels,
            )
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
