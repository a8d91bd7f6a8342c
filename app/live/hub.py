"""All live calls of the process: opening, resuming within the grace period, finishing, and
taking back the calls that were live when the server last stopped (crash recovery)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as SqlPoolTimeout
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.core.events import Participant, Transcript
from app.judge import runner_for
from app.live.protocol import POLICY_VIOLATION, ProtocolError, StartMessage
from app.live.session import LiveCall, StoredCall, Subscriber
from app.pipeline.resources import Resources
from app.store import repo
from app.store.db import Database
from app.store.models import Call

logger = logging.getLogger(__name__)


class Store:
    """Database access off the event loop. Writes go through one queue, in order, to one writer
    thread: a write is queued the moment `write` is called (callers that don't need its result
    need not wait for it), several queued writes are committed in one transaction, and a write
    that fails because the database is briefly unavailable (SQLite locked past its busy timeout,
    a Postgres server restarting) is retried with backoff, the writes behind it waiting their
    turn: nothing is lost and nothing is reordered."""

    BATCH = 200  # writes committed together at most
    BACKOFF_S = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)  # then every 2 s, for as long as it takes
    READ_RETRY_S = 10.0

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: asyncio.Queue[_Write] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="db-writer")
        self.retries = 0  # transient failures seen (for tests and the health page)

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self.db.session() as s:
            return fn(s, *args)

    def write(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """Queue `fn(session, *args)`; the future gives its result (or its error). Awaiting it is
        optional: the write is in the queue already (asyncio logs an error nobody looked at)."""
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._queue = asyncio.Queue()
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_loop(), name="db-writer")
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put_nowait(_Write(fn, args, future))
        return future

    async def read(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(session, *args)` off the loop; retried for up to `READ_RETRY_S` while the
        database is unavailable (a reader is a request waiting: it gets an error after that)."""
        attempt = lambda: self._run(fn, *args)  # noqa: E731
        return await run_in_threadpool(self._retrying, attempt, self.READ_RETRY_S)

    async def flush(self) -> None:
        """Wait until everything queued so far is written."""
        await self.write(lambda _s: None)

    async def _write_loop(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            outcomes = await loop.run_in_executor(self._thread, self._commit, batch)
            for job, (ok, value) in zip(batch, outcomes, strict=True):
                if job.future.done():
                    continue
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)

    def _commit(self, batch: list[_Write]) -> list[tuple[bool, Any]]:
        """In the writer thread: the batch in one transaction; if one of its writes fails for a
        reason of its own, each write in a transaction of its own, so only that one fails."""
        try:
            return self._retrying(lambda: self._all(batch))
        except Exception as exc:
            if len(batch) == 1:
                return [(False, exc)]
        out: list[tuple[bool, Any]] = []
        for job in batch:
            try:
                out.append((True, self._retrying(lambda j=job: self._run(j.fn, *j.args))))
            except Exception as exc:
                out.append((False, exc))
        return out

    def _all(self, batch: list[_Write]) -> list[tuple[bool, Any]]:
        with self.db.session() as s:
            return [(True, job.fn(s, *job.args)) for job in batch]

    def _retrying(self, attempt: Callable[[], Any], give_up_s: float | None = None) -> Any:
        deadline = None if give_up_s is None else time.monotonic() + give_up_s
        for n in itertools.count():
            try:
                return attempt()
            except Exception as exc:
                if not _transient(exc) or (deadline is not None and time.monotonic() > deadline):
                    raise
                self.retries += 1
                wait = self.BACKOFF_S[min(n, len(self.BACKOFF_S) - 1)]
                log = logger.warning if n in (0, 5) or n % 30 == 0 else logger.debug
                log("database unavailable (%s); retrying in %.2f s", _first_line(exc), wait)
                time.sleep(wait)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        self._thread.shutdown(wait=True)


@dataclass
class _Write:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any]


def _transient(exc: BaseException) -> bool:
    """A failure of the database rather than of the write: locked, unreachable, restarting."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | DisconnectionError | SqlPoolTimeout)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


class CallHub:
    def __init__(self, resources: Resources, store: Store) -> None:
        self.resources = resources
        self.store = store
        self.calls: dict[str, LiveCall] = {}
        # The optional LLM judge (HAKSHEV_JUDGE_BASE_URL): None unless configured.
        self.judge = runner_for(resources.settings, lambda: resources.rubrics.specs, store)
        self._open_lock = asyncio.Lock()
        self._changed = asyncio.Event()
        self._restoring: set[asyncio.Task[Any]] = set()

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        return self.resources.settings

    async def open(self, call_id: str, start: StartMessage) -> tuple[LiveCall, bool]:
        """A new call, or the same call resumed: within its grace period, or after a restart of
        the server (rebuilt from what was stored). Returns (call, resumed)."""
        async with self._open_lock:
            live = self.calls.get(call_id)
            if live is None:
                existing = await self.store.read(repo.get_call, call_id)
                if existing is None:
                    return await self._new(call_id, start), False
                if existing.status != "live" or existing.source != "live":
                    raise ProtocolError(
                        POLICY_VIOLATION,
                        "call_exists",
                        f"call {call_id} already exists and has ended",
                    )
                live = await self._adopt(existing)  # live when the server stopped: take it back
            if live.producer_connected or live.status != "live":
                raise ProtocolError(
                    POLICY_VIOLATION,
                    "call_busy",
                    f"call {call_id} already has an audio connection",
                )
            if start.model_dump(exclude={"title"}) != live.start.model_dump(exclude={"title"}):
                raise ProtocolError(
                    POLICY_VIOLATION,
                    "start_mismatch",
                    "a resumed call must repeat its first 'start' message",
                )
            if live.grace is not None:
                live.grace.cancel()
                live.grace = None
            live.producer_connected = True
        await live.restored.wait()  # a call taken back after a restart is rebuilt first
        live.publish({"type": "resumed", "at": round(live.resume_at, 2)})
        return live, True

    async def _new(self, call_id: str, start: StartMessage) -> LiveCall:
        await run_in_threadpool(self._load, start.language)
        recording = self.settings.audio_dir / f"{call_id}.pcm"
        live = LiveCall(call_id, start, self.resources, self.store.write, recording)
        people = list(live.info.participants)
        await self.store.write(_create, call_id, start, people, str(recording))
        self.calls[call_id] = live
        self._changed.set()
        return live

    def _load(self, language: str) -> None:
        """What a call needs loaded (slow the first time: never on the loop): the Whisper model
        and the rubrics' embedded examples."""
        self.resources.transcriber(language)
        _ = self.resources.signals

    def start_recovery(self) -> None:
        """`recover` in the background: the service takes requests meanwhile (a reconnect that
        comes first takes its call back itself)."""
        task = asyncio.create_task(self.recover(), name="recover-calls")
        self._restoring.add(task)
        task.add_done_callback(self._restoring.discard)

    async def take_back(self, call_id: str) -> LiveCall | None:
        """The live call `call_id`: in memory, or taken back from the database if the server
        stopped during it (then it waits for its reconnect); None if it is not live."""
        async with self._open_lock:
            live = self.calls.get(call_id)
            if live is not None:
                return live
            call = await self.store.read(repo.get_call, call_id)
            if call is None or call.status != "live" or call.source != "live":
                return None
            live = await self._adopt(call)
        self._wait_for_reconnect(live)
        return live

    async def recover(self) -> int:
        """At start-up: every call the database still has as live (the server stopped during
        it) is rebuilt in the background and waits for its reconnect like a dropped call;
        without one it is finished and scored after the grace period. Returns how many."""
        ids = await self.store.read(
            lambda s: [
                c.id for c in s.query(Call).filter(Call.status == "live", Call.source == "live")
            ]
        )
        for call_id in ids:
            async with self._open_lock:
                if call_id in self.calls:
                    continue
                try:
                    live = await self._adopt(await self.store.read(repo.get_call, call_id))
                except Exception:
                    logger.exception("call %s: could not take it back after a restart", call_id)
                    continue
            self._wait_for_reconnect(live)
        if ids:
            logger.info("taking back %d call(s) that were live at the last stop", len(ids))
        return len(ids)

    async def _adopt(self, call: Call) -> LiveCall:
        """A LiveCall for a stored live call; its rebuild runs in the background (under the
        open lock: a caller must wait for `live.restored`)."""
        start = StartMessage(
            type="start",
            language=call.language,  # type: ignore[arg-type]
            sample_rate=call.sample_rate or 16000,
            participants=[
                {"id": p.participant_id, "role": p.role, "name": p.name}  # type: ignore[misc]
                for p in call.participants
            ],
            rep_id=call.rep_id,
            title=call.title,
        )
        recording = Path(call.audio_path or self.settings.audio_dir / f"{call.id}.pcm")
        await run_in_threadpool(_pcm_from_wav, recording, start.frame_bytes)
        await run_in_threadpool(self._load, start.language)
        stored = await self.store.read(_stored, call.id)
        live = LiveCall(call.id, start, self.resources, self.store.write, recording)
        live.producer_connected = False
        live.restored.clear()
        self.calls[call.id] = live
        self._changed.set()
        task = asyncio.create_task(live.restore(stored), name=f"restore-{call.id}")
        self._restoring.add(task)
        task.add_done_callback(self._restoring.discard)
        return live

    def disconnected(self, live: LiveCall) -> None:
        """The audio connection dropped: wait for a reconnect, then finish the call."""
        live.producer_connected = False
        if live.status != "live":
            return
        live.publish(
            {
                "type": "suspended",
                "at": round(live.resume_at, 2),
                "grace_s": self.settings.reconnect_grace_s,
            }
        )
        self._wait_for_reconnect(live)

    def _wait_for_reconnect(self, live: LiveCall) -> None:
        loop = asyncio.get_running_loop()
        live.grace = loop.call_later(
            self.settings.reconnect_grace_s,
            lambda: asyncio.ensure_future(self.finish(live)),
        )

    async def finish(self, live: LiveCall) -> dict[str, Any]:
        live.judge = self.judge  # judges the call after its scorecard is written (if set)
        try:
            return await live.finish()
        finally:
            self.calls.pop(live.call_id, None)
            self._changed.set()

    def subscribe(self, call_id: str) -> tuple[LiveCall, Subscriber] | None:
        live = self.calls.get(call_id)
        if live is None or live.status == "ended":
            return None
        sub = Subscriber()
        for event in live.backlog():
            sub.put(event)
        live.subscribers.add(sub)
        return live, sub

    def live_for_rep(self, rep_id: str) -> LiveCall | None:
        matches = [c for c in self.calls.values() if c.start.rep_id == rep_id]
        return matches[-1] if matches else None

    async def shutdown(self) -> None:
        for live in list(self.calls.values()):
            try:
                await self.finish(live)
            except Exception:
                logger.exception("finishing call %s at shutdown failed", live.call_id)
        if self.judge is not None:
            await self.judge.aclose()
        await self.store.flush()


def _create(
    s: Session, call_id: str, start: StartMessage, people: list[Participant], recording: str
) -> None:
    repo.create_call(
        s,
        call_id,
        language=start.language,
        participants=people,
        rep_id=start.rep_id,
        title=start.title,
        source="live",
        sample_rate=start.sample_rate,
        channels=start.channels,
        audio_path=recording,
    )


def _stored(s: Session, call_id: str) -> StoredCall:
    call = repo.get_call(s, call_id, full=True)
    if call is None:
        return StoredCall()
    return StoredCall(
        [Transcript(u.speaker, u.start, u.end, u.text) for u in call.utterances],
        [(n.rubric, n.kind, round(n.at, 3)) for n in call.nudges],
        [(f.rubric, f.kind, round(f.at, 3)) for f in call.findings],
    )


def _pcm_from_wav(recording: Path, frame_bytes: int) -> None:
    """A crash between writing the WAV and marking the call ended left no raw recording: take
    the samples back out of the WAV."""
    wav = recording.with_suffix(".wav")
    if recording.exists() or not wav.exists():
        return
    with wave.open(str(wav), "rb") as w, recording.open("wb") as raw:
        while block := w.readframes(1 << 16):
            raw.write(block)
