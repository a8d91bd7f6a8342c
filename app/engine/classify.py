"""Call classifications on every scorecard: outcome, churn reason and churn stage (001, 003).

Read from the customer's own words, with signal phrases per class kept in
`rubrics/classifications.yaml` so a team lead can extend them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from app.core.events import Transcript
from app.engine.state import CallState
from app.rubrics.config import PhraseLists, RubricFileError
from app.rubrics.text import PhraseMatcher

OUTCOMES = ("saved", "churned", "undecided")
CHURN_REASONS = ("product", "service", "price", "non_usage", "other", "unknown")
CHURN_STAGES = ("content", "thawing", "anti", "switching", "refrozen")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutcomeSignals(_Strict):
    saved: PhraseLists
    churned: PhraseLists
    final_part: float = 0.4


class ReasonSignals(_Strict):
    product: PhraseLists
    service: PhraseLists
    price: PhraseLists
    non_usage: PhraseLists


class StageSignals(_Strict):
    refrozen: PhraseLists
    switching: PhraseLists
    anti: PhraseLists
    thawing: PhraseLists


class ClassificationFile(_Strict):
    outcome: OutcomeSignals
    churn_reason: ReasonSignals
    churn_stage: StageSignals


def load_classifications(path: Path) -> ClassificationFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ClassificationFile.model_validate(raw)
    except OSError as exc:
        raise RubricFileError(path, "(file)", f"cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise RubricFileError(path, "(file)", "not valid YAML") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RubricFileError(path, ".".join(map(str, first["loc"])), first["msg"]) from exc


@dataclass(slots=True)
class Classification:
    outcome: str
    churn_reason: str
    churn_stage: str


class Classifier:
    def __init__(self, spec: ClassificationFile, language: str) -> None:
        def m(lists: PhraseLists) -> PhraseMatcher:
            return PhraseMatcher(lists.get(language))

        self.final_part = spec.outcome.final_part
        self.outcome = {"saved": m(spec.outcome.saved), "churned": m(spec.outcome.churned)}
        r = spec.churn_reason
        self.reasons = {k: m(getattr(r, k)) for k in ("price", "service", "product", "non_usage")}
        s = spec.churn_stage
        self.stages = {k: m(getattr(s, k)) for k in ("refrozen", "switching", "anti", "thawing")}

    def classify(self, state: CallState) -> Classification:
        customer = [t for t in state.transcripts if state.is_customer(t.speaker)]
        if not customer:
            return Classification("undecided", "unknown", "content")
        return Classification(
            self._outcome(customer), self._reason(customer), self._stage(customer)
        )

    def _outcome(self, customer: list[Transcript]) -> str:
        end = customer[-1].end
        start = customer[0].start
        tail_from = end - (end - start) * self.final_part
        outcome = "undecided"
        for t in customer:
            if t.end < tail_from:
                continue
            for label, matcher in self.outcome.items():
                if matcher.find(t.text):
                    outcome = label  # the customer's last word on it counts
        return outcome

    def _reason(self, customer: list[Transcript]) -> str:
        counts: dict[str, int] = {}
        first: dict[str, float] = {}
        for t in customer:
            for label, matcher in self.reasons.items():
                if matcher.find(t.text):
                    counts[label] = counts.get(label, 0) + 1
                    first.setdefault(label, t.start)
        if not counts:
            return "unknown"
        return max(counts, key=lambda k: (counts[k], -first[k]))

    def _stage(self, customer: list[Transcript]) -> str:
        for label in ("refrozen", "switching", "anti", "thawing"):
            if any(self.stages[label].find(t.text) for t in customer):
                return label
        return "content"
