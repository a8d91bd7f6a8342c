"""The transcription service: utterances of every call, transcribed by a pool of worker threads.

Whisper decoding on a CPU is latency-bound: one decode with two threads is barely faster than
with one, but two decodes side by side, one thread each, do twice the work (measured: 86 s of
speech in 4.97 s with 1×2 threads, 2.85 s with 2×1). So the model is loaded with one
CTranslate2 worker per core and the service runs that many jobs at once.

Finals go first, then speculative finals, then partials; a partial or a speculative job is
skipped when a newer job of the same utterance is queued, or when any other job waits or runs:
when transcription falls behind, partial text and guesses are what gives, never a final. A
partial or guess that a newer job of its utterance makes useless is dropped at once with its
audio, so a backlog holds no more than one per utterance.

A long utterance comes in pieces (app.audio.segmenter): each piece cut at a pause is sent ahead
and transcribed as a final at once, while the speaker goes on; the final utterance lists its
pieces, takes the results of those sent ahead, transcribes the rest (only its last piece, live)
and joins the texts. A final that comes without its pieces having been sent ahead (a file
analysed offline, a call rebuilt after a restart) is cut the same way, so the text is the same.

A speculative piece (the current piece, sent when a pause begins, before the turn is known to
have ended) is transcribed when the service is idle; when the final's last piece is the same
audio, it gets the speculative job's result instead of a job of its own — the transcript is
ready sooner by the VAD's wait.

Nothing here runs on the event loop: live callers await `asyncio.wrap_future(...)`.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import queue
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field

from app.asr.whisper import SAMPLE_RATE, AsrResult, WhisperTranscriber
from app.core.events import UtteranceAudio

logger = logging.getLogger(__name__)

FINAL, SPECULATIVE, PARTIAL, _STOP = 0, 1, 2, 3


@dataclass
class _Job:
    priority: int
    seq: int
    key: tuple[str, str, int]
    utterance: UtteranceAudio
    transcriber: WhisperTranscriber
    language: str
    future: Future[AsrResult | None] = field(default_factory=Future)
    queued_at: float = field(default_factory=time.perf_counter)


class TranscriptionService:
    def __init__(self, workers: int = 2) -> None:
        # (priority, seq, job); a job of None, queued last, stops a worker.
        self._queue: queue.PriorityQueue[tuple[int, int, _Job | None]] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._latest: dict[tuple[str, str, int], int] = {}  # newest job seq per utterance
        self._speculative: dict[tuple[str, str, int], _Job] = {}
        # pieces sent ahead, per utterance: (start, end) in samples of call time → job
        self._ahead: dict[tuple[str, str, int], dict[tuple[int, int], _Job]] = {}
        self.speculation_hits = 0
        self._running = 0
        self._extras: dict[tuple[str, str, int], _Job] = {}  # newest queued non-final per key
        self._lock = threading.Lock()
        self.skipped_partials = 0
        self.done = {FINAL: 0, SPECULATIVE: 0, PARTIAL: 0}  # transcriptions run, per kind
        # the latest finals' seconds waiting for a worker and running (for /health)
        self._final_times: deque[tuple[float, float]] = deque(maxlen=1000)
        self._threads = [
            threading.Thread(target=self._run, name=f"asr-{i}", daemon=True) for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def submit(
        self,
        call_id: str,
        transcriber: WhisperTranscriber,
        utterance: UtteranceAudio,
        language: str,
    ) -> Future[AsrResult | None]:
        """Queue an utterance; the future gives its result (None for a skipped partial or guess;
        a final always gets its text, joined from its pieces')."""
        key = (call_id, utterance.speaker, utterance.utterance_id)
        if not utterance.final:
            job = self._enqueue(key, transcriber, utterance, language)
            if utterance.ahead:
                with self._lock:
                    self._ahead.setdefault(key, {})[_span(utterance)] = job
            return job.future
        with self._lock:
            sent = self._ahead.pop(key, {})
            spec = self._speculative.pop(key, None)
        spans = utterance.pieces or ((0, len(utterance.samples)),)
        origin = round(utterance.start * SAMPLE_RATE)
        parts: list[Future[AsrResult | None]] = []
        for i, (a, b) in enumerate(spans):
            ahead = sent.get((origin + a, origin + b))
            if ahead is not None:
                parts.append(ahead.future)
                continue
            piece = utterance
            if len(spans) > 1:
                piece = dataclasses.replace(
                    utterance,
                    start=(origin + a) / SAMPLE_RATE,
                    end=(origin + b) / SAMPLE_RATE,
                    samples=utterance.samples[a:b],
                    pieces=(),
                )
            if i == len(spans) - 1 and spec is not None:
                parts.append(self._after_guess(spec, key, transcriber, piece, language))
            else:
                parts.append(self._enqueue(key, transcriber, piece, language).future)
        return parts[0] if len(parts) == 1 else _joined(parts)

    def _after_guess(
        self,
        spec: _Job,
        key: tuple[str, str, int],
        transcriber: WhisperTranscriber,
        piece: UtteranceAudio,
        language: str,
    ) -> Future[AsrResult | None]:
        """The final's last piece, with the guess made of the utterance at its last pause."""
        guess = spec.utterance
        same = guess is not None and _span(guess) == _span(piece)
        # A guess not begun yet is dropped (speech went on, or the final is here and takes its
        # place among the finals: a guess waits behind every final, a final must not); one
        # under way or done is followed when it is the final's audio.
        if spec.future.cancel():
            spec.utterance = None  # type: ignore[assignment]  # its audio is not needed
        elif same:
            return self._follow(spec, transcriber, piece, language)
        return self._enqueue(key, transcriber, piece, language).future

    def _enqueue(
        self,
        key: tuple[str, str, int],
        transcriber: WhisperTranscriber,
        utterance: UtteranceAudio,
        language: str,
    ) -> _Job:
        if utterance.final or utterance.ahead:  # a piece sent ahead is part of a final
            priority = FINAL
        else:
            priority = SPECULATIVE if utterance.speculative else PARTIAL
        job = _Job(priority, next(self._seq), key, utterance, transcriber, language)
        with self._lock:
            self._latest[key] = job.seq
            if utterance.speculative:
                self._speculative[key] = job
            # The utterance's older partial or guess still queued is of no use now: dropped at
            # once, with its audio (a backlog must not hold seconds of audio per queued extra).
            older = self._extras.pop(key, None)
            if priority != FINAL:
                self._extras[key] = job
        if older is not None and older.future.cancel():
            older.utterance = None  # type: ignore[assignment]
        self._queue.put((job.priority, job.seq, job))
        return job

    def _follow(
        self, spec: _Job, transcriber: WhisperTranscriber, utterance: UtteranceAudio, language: str
    ) -> Future[AsrResult | None]:
        """The final is the guessed audio: take the guess's text, or, if the guess was skipped
        (the service was busy), transcribe the final after all."""
        final: Future[AsrResult | None] = Future()

        def done(f: Future[AsrResult | None]) -> None:
            if not f.cancelled() and f.exception() is None and f.result() is not None:
                self.speculation_hits += 1
                final.set_result(f.result())
                return
            job = self._enqueue(spec.key, transcriber, utterance, language)
            job.future.add_done_callback(lambda j: _copy(j, final))

        spec.future.add_done_callback(done)
        return final

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def stats(self) -> dict[str, int]:
        """Counters since start: transcriptions run per kind, finals that took a guess's text,
        partials and guesses skipped as stale; and of the latest 1000 finals (pieces), how long
        they waited for a worker and ran (ms, p50 and p95)."""
        with self._lock:
            waits = sorted(w for w, _ in self._final_times)
            runs = sorted(r for _, r in self._final_times)
            return {
                "final_wait_ms_p50": _ms(waits, 0.5),
                "final_wait_ms_p95": _ms(waits, 0.95),
                "final_run_ms_p50": _ms(runs, 0.5),
                "final_run_ms_p95": _ms(runs, 0.95),
                "backlog": self._queue.qsize(),
                "finals": self.done[FINAL],
                "guesses": self.done[SPECULATIVE],
                "partials": self.done[PARTIAL],
                "guesses_taken": self.speculation_hits,
                "skipped": self.skipped_partials,
            }

    def _run(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            with self._lock:
                if self._extras.get(job.key) is job:
                    del self._extras[job.key]
            if not job.future.set_running_or_notify_cancel():
                continue
            with self._lock:
                latest = self._latest.get(job.key)
                superseded = latest is not None and latest != job.seq
                # Partials and guesses are extras: only when nothing else waits and the other
                # workers are free too (a guess that turns out wrong is wasted work; measured
                # with guesses run whenever no final waited, 12 calls: 452 guesses, 88 taken).
                busy = self._queue.qsize() > 0 or self._running > 0
                stale = job.priority != FINAL and (superseded or busy)
                if job.priority != PARTIAL and latest == job.seq:
                    del self._latest[job.key]
                if not stale:
                    self._running += 1
            if stale:
                self.skipped_partials += 1
                job.future.set_result(None)
                continue
            began = time.perf_counter()
            try:
                result = job.transcriber.transcribe(job.utterance.samples, job.language)
            except Exception as exc:  # reported on the call as an error event, the service goes on
                logger.exception("transcription failed for %s", job.key)
                job.future.set_exception(exc)
            else:
                with self._lock:
                    self.done[job.priority] += 1
                    if job.priority == FINAL:
                        ran = time.perf_counter() - began
                        self._final_times.append((began - job.queued_at, ran))
                job.future.set_result(result)
            finally:
                with self._lock:
                    self._running -= 1

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put((_STOP, next(self._seq), None))
        for t in self._threads:
            t.join(timeout=30)


def _ms(ordered: list[float], q: float) -> int:
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]) if ordered else 0


def _span(utterance: UtteranceAudio) -> tuple[int, int]:
    """An utterance's (start, end) in samples of call time."""
    return round(utterance.start * SAMPLE_RATE), round(utterance.end * SAMPLE_RATE)


def _joined(parts: list[Future[AsrResult | None]]) -> Future[AsrResult | None]:
    """One result of an utterance's pieces: their texts joined in order, once all are done."""
    joined: Future[AsrResult | None] = Future()
    left = [len(parts)]
    lock = threading.Lock()

    def done(_part: Future[AsrResult | None]) -> None:
        with lock:
            left[0] -= 1
            if left[0]:
                return
        finished = [p for p in parts if not p.cancelled()]
        failed = next((p.exception() for p in finished if p.exception() is not None), None)
        if failed is not None:
            joined.set_exception(failed)
            return
        results = [r for p in finished if (r := p.result()) is not None]
        if not results:
            joined.set_result(None)
            return
        heard = [r for r in results if r.text]
        joined.set_result(
            AsrResult(
                " ".join(r.text for r in heard),
                results[0].language,
                min(r.no_speech_prob for r in results),
                sum(r.avg_logprob for r in results) / len(results),
                max(r.compression_ratio for r in results),
            )
        )

    for p in parts:
        p.add_done_callback(done)
    return joined


def _copy(source: Future[AsrResult | None], target: Future[AsrResult | None]) -> None:
    if source.cancelled():
        target.cancel()
    elif source.exception() is not None:
        target.set_exception(source.exception())  # type: ignore[arg-type]
    else:
        target.set_result(source.result())
