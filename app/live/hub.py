"""All live calls of the process: opening, resuming within the grace period, finishing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.core.events import Participant
from app.judge import runner_for
from app.live.protocol import POLICY_VIOLATION, ProtocolError, StartMessage
from app.live.session import LiveCall, Subscriber
from app.pipeline.resources import Resources
from app.store import repo
from app.store.db import Database

logger = logging.getLogger(__name__)


class Store:
    """Database writes off the event loop, one at a time (SQLite has a single writer)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = asyncio.Lock()

    def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self.db.session() as s:
            return fn(s, *args)

    async def write(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(session, *args)` in a transaction, writers one at a time."""
        async with self._lock:
            return await run_in_threadpool(self._run, fn, *args)

    async def read(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await run_in_threadpool(self._run, fn, *args)


class CallHub:
    def __init__(self, resources: Resources, store: Store) -> None:
        self.resources = resources
        self.store = store
        self.calls: dict[str, LiveCall] = {}
        # The optional LLM judge (HAKSHEV_JUDGE_BASE_URL): None unless configured.
        self.judge = runner_for(resources.settings, lambda: resources.rubrics.specs, store)
        self._open_lock = asyncio.Lock()
        self._changed = asyncio.Event()

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        return self.resources.settings

    async def open(self, call_id: str, start: StartMessage) -> tuple[LiveCall, bool]:
        """A new call, or the same call resumed within its grace period. Returns (call, resumed)."""
        async with self._open_lock:
            live = self.calls.get(call_id)
            if live is not None:
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
                live.publish({"type": "resumed", "at": round(live.pipeline.now, 2)})
                return live, True
            existing = await self.store.read(repo.get_call, call_id)
            if existing is not None:
                raise ProtocolError(
                    POLICY_VIOLATION, "call_exists", f"call {call_id} already exists and has ended"
                )
            # Loading a model is slow: never on the loop.
            await run_in_threadpool(self.resources.transcriber, start.language)
            recording = self.settings.audio_dir / f"{call_id}.pcm"
            live = LiveCall(call_id, start, self.resources, self.store.write, recording)
            people = list(live.info.participants)
            await self.store.write(_create, call_id, start, people, str(recording))
            self.calls[call_id] = live
            self._changed.set()
            return live, False

    def disconnected(self, live: LiveCall) -> None:
        """The audio connection dropped: wait for a reconnect, then finish the call."""
        live.producer_connected = False
        if live.status != "live":
            return
        live.publish(
            {
                "type": "suspended",
                "at": round(live.pipeline.now, 2),
                "grace_s": self.settings.reconnect_grace_s,
            }
        )
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
