"""The call engine: events in call-time order → findings, nudges, metrics → scorecard.

Both drivers use it unchanged: the audio pipeline (live or from a file) feeds it voice activity
and final transcripts; a labelled transcript is replayed into it as the same events. Nothing here
reads the clock: time is what the events say.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from app.core.events import (
    CallError,
    Finding,
    Nudge,
    SpeechEnded,
    SpeechStarted,
    Transcript,
    Verdict,
)
from app.engine.classify import Classifier
from app.engine.metrics import Metrics, compute
from app.engine.policy import NudgePolicy
from app.engine.rubric_set import RubricSet
from app.engine.state import CallInfo, CallState
from app.nlp.signals import SignalBank
from app.rubrics.base import Detector, NudgeRequest
from app.rubrics.config import RUBRIC_IDS
from app.rubrics.listen_first import ListenFirst
from app.rubrics.offer_limit import OfferLimit

logger = logging.getLogger(__name__)

EngineOutput = Finding | Nudge | CallError


@dataclass(slots=True)
class Scorecard:
    call_id: str
    language: str
    score: int | None
    verdicts: dict[str, Verdict]
    outcome: str
    churn_reason: str
    churn_stage: str
    metrics: Metrics
    nudges: list[Nudge]
    findings: list[Finding]
    utterances: list[Transcript]
    participants: list[dict[str, str]] = field(default_factory=list)
    duration: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        roles = {p["id"]: p["role"] for p in self.participants}
        return {
            "call_id": self.call_id,
            "language": self.language,
            "duration": round(self.duration, 2),
            "participants": self.participants,
            "score": self.score,
            "verdicts": {k: asdict(v) for k, v in self.verdicts.items()},
            "outcome": self.outcome,
            "churn_reason": self.churn_reason,
            "churn_stage": self.churn_stage,
            "metrics": asdict(self.metrics),
            "nudges": [asdict(n) for n in self.nudges],
            "findings": [asdict(f) for f in self.findings],
            "utterances": [
                {
                    "speaker": u.speaker,
                    "role": roles.get(u.speaker, "unknown"),
                    "start": round(u.start, 2),
                    "end": round(u.end, 2),
                    "text": u.text,
                }
                for u in self.utterances
            ],
        }


class CallEngine:
    """Feed `speech_started`, `speech_ended`, `transcript` (final) and `advance` in call-time
    order; each returns what it produced. `finish` closes the call and gives its scorecard."""

    def __init__(
        self,
        call: CallInfo,
        rubrics: RubricSet,
        classifier: Classifier,
        bank: SignalBank | None = None,
    ) -> None:
        self.call = call
        self.state = CallState(call)
        self.detectors: dict[str, Detector] = rubrics.detectors(self.state, bank)
        self.policy = NudgePolicy(rubrics.specs, call.language)
        self.classifier = classifier
        self.findings: list[Finding] = []
        self.errors: list[CallError] = []
        self.finished: Scorecard | None = None

    def _collect(self, rubric_id: str, outputs: list[Finding | NudgeRequest]) -> list[EngineOutput]:
        result: list[EngineOutput] = []
        for item in outputs:
            if isinstance(item, Finding):
                self.findings.append(item)
                result.append(item)
            else:
                nudge = self.policy.offer(item)
                if nudge is not None:
                    result.append(nudge)
        return result

    def _each(self, method: str, *args: Any) -> list[EngineOutput]:
        out: list[EngineOutput] = []
        for rubric_id, det in self.detectors.items():
            try:
                out += self._collect(rubric_id, getattr(det, method)(*args))
            except Exception as exc:  # one broken rubric must not end the call
                logger.exception("rubric %s failed in %s", rubric_id, method)
                err = CallError(
                    f"rubric:{rubric_id}", f"{type(exc).__name__}: {exc}", self.state.now
                )
                self.errors.append(err)
                out.append(err)
        return out

    def _tick(self, now: float) -> None:
        self.state.now = max(self.state.now, now)

    def speech_started(self, ev: SpeechStarted) -> list[EngineOutput]:
        self._tick(ev.at)
        self.state.start_segment(ev.speaker, ev.at)
        return self._each("on_speech_started", ev)

    def speech_ended(self, ev: SpeechEnded) -> list[EngineOutput]:
        self._tick(ev.end)
        self.state.end_segment(ev.speaker, ev.start, ev.end)
        return self._each("on_speech_ended", ev)

    def transcript(self, t: Transcript) -> list[EngineOutput]:
        if not t.final or not t.text.strip():
            return []
        self.state.add_transcript(t)
        return self._each("on_transcript", t)

    def advance(self, now: float) -> list[EngineOutput]:
        self._tick(now)
        return self._each("advance", self.state.now)

    def metrics(self) -> Metrics:
        lf = self.detectors["listen_first"]
        ol = self.detectors["offer_limit"]
        take_overs = lf.takeover_count if isinstance(lf, ListenFirst) else 0
        offers = ol.count if isinstance(ol, OfferLimit) else 0
        return compute(self.state, self.state.now, take_overs, offers)

    def finish(self, end: float | None = None) -> Scorecard:
        if self.finished is not None:
            return self.finished
        end = max(end or 0.0, self.state.now)
        for seg in list(self.state.open.values()):
            self.state.end_segment(seg.speaker, seg.start, end)
        self._each("finish", end)
        self.state.now = end
        c = self.classifier.classify(self.state)
        self.state.outcome = c.outcome
        self.state.outcome_confidence = c.outcome_confidence
        verdicts: dict[str, Verdict] = {}
        for rubric_id in RUBRIC_IDS:
            try:
                verdicts[rubric_id] = self.detectors[rubric_id].verdict()
            except Exception as exc:
                logger.exception("rubric %s failed in verdict", rubric_id)
                verdicts[rubric_id] = Verdict("na", f"rubric failed: {type(exc).__name__}")
        applicable = [v for v in verdicts.values() if v.verdict != "na"]
        score = (
            round(100 * sum(v.verdict == "pass" for v in applicable) / len(applicable))
            if applicable
            else None
        )
        self.finished = Scorecard(
            call_id=self.call.call_id,
            language=self.call.language,
            score=score,
            verdicts=verdicts,
            outcome=c.outcome,
            churn_reason=c.churn_reason,
            churn_stage=c.churn_stage,
            metrics=self.metrics(),
            nudges=list(self.policy.sent),
            findings=list(self.findings),
            utterances=list(self.state.transcripts),
            participants=[
                {"id": p.id, "role": p.role, "name": p.name} for p in self.call.participants
            ],
            duration=end,
        )
        return self.finished
