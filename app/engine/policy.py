"""Nudge policy: which requested nudges reach the rep, and when one replaces another.

A nudge of the same kind within the rubric's cooldown of the last one is held back. Kinds are
kept apart so that a timing nudge (raised from voice activity at once) and a content nudge
(raised when the transcript arrives, later on the wall clock but with its own earlier call time)
never decide each other's fate: that keeps a live call and its replay giving the same nudges.
The pages show one card per rubric: a newer nudge of a rubric replaces the older card.
"""

from __future__ import annotations

from app.core.events import Nudge
from app.rubrics.base import NudgeRequest
from app.rubrics.config import RubricFile


class NudgePolicy:
    def __init__(self, specs: dict[str, RubricFile], language: str) -> None:
        self.specs = specs
        self.language = language
        self._last: dict[tuple[str, str], Nudge] = {}
        self.sent: list[Nudge] = []

    def offer(self, req: NudgeRequest) -> Nudge | None:
        spec = self.specs[req.rubric]
        nudge_spec = spec.nudges[req.kind]
        nudge = Nudge(
            rubric=req.rubric,
            kind=req.kind,
            at=round(req.at, 2),
            to=req.to,
            text=nudge_spec.text.get(self.language),
            severity=nudge_spec.severity,
            why=spec.why.get(self.language),
        )
        last = self._last.get((req.rubric, req.kind))
        if last is not None and nudge.at - last.at < spec.cooldown_s:
            return None
        self._last[(req.rubric, req.kind)] = nudge
        self.sent.append(nudge)
        return nudge
