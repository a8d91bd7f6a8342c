"""Nudge policy: which requested nudges reach the rep, and when one replaces another.

At most one nudge of a rubric is live at a time: a request within the rubric's cooldown of the
last one is held back, unless it is more severe (the rant reminder replaces the rant nudge).
All of it on call time, so replaying a call gives the same nudges.
"""

from __future__ import annotations

from app.core.events import SEVERITY_RANK, Nudge
from app.rubrics.base import NudgeRequest
from app.rubrics.config import RubricFile


class NudgePolicy:
    def __init__(self, specs: dict[str, RubricFile], language: str) -> None:
        self.specs = specs
        self.language = language
        self._last: dict[str, Nudge] = {}
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
        last = self._last.get(req.rubric)
        if (
            last is not None
            and nudge.at - last.at < spec.cooldown_s
            and SEVERITY_RANK[nudge.severity] <= SEVERITY_RANK[last.severity]
        ):
            return None
        self._last[req.rubric] = nudge
        self.sent.append(nudge)
        return nudge
