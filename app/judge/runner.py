"""Judging in the background, for live calls (after the scorecard is written) and imported ones.

Nothing on the live path waits for it: `schedule` starts a task and returns. Each decision is
stored as it is made (so a crash half-way keeps what was decided) and, while the call's events
socket is open, published to its subscribers: a `judge` event per decision that was made, an
`error` event (code `judge_failed`) per one that failed, and `judged` with the updated scorecard
at the end. At most `judge_concurrency` calls are judged at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from app.core.config import Settings
from app.judge.judge import Decision, Judge
from app.rubrics.config import RubricFile
from app.store import repo

logger = logging.getLogger(__name__)

Publish = Callable[[dict[str, Any]], None]


class _Store(Protocol):
    async def write(self, fn: Callable[..., Any], *args: Any) -> Any: ...
    async def read(self, fn: Callable[..., Any], *args: Any) -> Any: ...


def decision_event(d: Decision, at: float) -> dict[str, Any]:
    if d.status == "ok":
        return {
            "type": "judge",
            "task": d.task,
            "rubric": d.rubric,
            "judged_by": d.judged_by,
            "latency_ms": d.latency_ms,
            "result": d.result,
            "at": at,
        }
    where = f"judge:{d.task}" + (f":{d.rubric}" if d.rubric else "")
    return {
        "type": "error",
        "code": "judge_failed",
        "stage": where,
        "message": d.error or "the judge failed",
        "at": at,
    }


class JudgeRunner:
    def __init__(
        self, settings: Settings, specs: Callable[[], Mapping[str, RubricFile]], store: _Store
    ) -> None:
        self.judge = Judge(settings, specs)
        self.store = store
        self._slots = asyncio.Semaphore(settings.judge_concurrency)
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def schedule(
        self, call_id: str, card: dict[str, Any], publish: Publish | None = None
    ) -> asyncio.Task[list[Decision]]:
        """Judge the call in the background; returns at once."""
        task = asyncio.create_task(self.run(call_id, card, publish), name=f"judge-{call_id}")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("judging %s failed", task.get_name(), exc_info=task.exception())

    async def run(
        self, call_id: str, card: dict[str, Any], publish: Publish | None = None
    ) -> list[Decision]:
        """Every decision for the call, each stored (and published) as it is made."""
        at = round(float(card.get("duration", 0.0)), 2)
        decisions: list[Decision] = []
        async with self._slots:
            async for decision in self.judge.decide(card):
                decisions.append(decision)
                await self.store.write(repo.add_judge_decision, call_id, decision.to_dict())
                if publish is not None:
                    publish(decision_event(decision, at))
        if publish is not None and decisions:
            stored = await self.store.read(_scorecard, call_id)
            publish({"type": "judged", "at": at, "scorecard": stored})
        return decisions

    async def aclose(self) -> None:
        """Stop judging (at shutdown): unfinished calls keep the decisions made so far."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.judge.close()


def _scorecard(s: Any, call_id: str) -> dict[str, Any] | None:
    call = repo.get_call(s, call_id, full=True)
    return repo.full_scorecard(call) if call is not None else None
