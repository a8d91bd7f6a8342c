"""Call classifications on every scorecard: outcome, churn reason and churn stage (001, 003).

Read mostly from the customer's own words, by phrases and by meaning (examples per class in
`rubrics/classifications.yaml`, which a team lead can extend):
- outcome: the last decision said in the final part of the call (by the customer, or the
  company confirming it: "I've cancelled it", "I've applied the discount"); none → undecided;
- churn_reason: the reason the customer gives most (ties: the first given); none → unknown;
- churn_stage (source 003): the furthest stage the customer's words show, among refrozen,
  switching, anti, thawing; none → content.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from app.core.events import Transcript
from app.engine.state import CallState
from app.rubrics.config import ExampleSet, PhraseLists, load_yaml_model
from app.rubrics.text import PhraseMatcher

OUTCOMES = ("saved", "churned", "undecided")
CHURN_REASONS = ("product", "service", "price", "non_usage", "other", "unknown")
CHURN_STAGES = ("content", "thawing", "anti", "switching", "refrozen")
_REASONS = ("price", "service", "product", "non_usage")
_STAGES = ("refrozen", "switching", "anti", "thawing")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClassSignals(_Strict):
    phrases: PhraseLists = Field(default_factory=PhraseLists)
    examples: ExampleSet = Field(default_factory=ExampleSet)


class OutcomeSignals(_Strict):
    final_part: float = Field(0.4, gt=0, le=1)
    saved: ClassSignals
    churned: ClassSignals


class ReasonSignals(_Strict):
    product: ClassSignals
    service: ClassSignals
    price: ClassSignals
    non_usage: ClassSignals


class StageSignals(_Strict):
    refrozen: ClassSignals
    switching: ClassSignals
    anti: ClassSignals
    thawing: ClassSignals


class ClassificationFile(_Strict):
    outcome: OutcomeSignals
    churn_reason: ReasonSignals
    churn_stage: StageSignals

    def example_sets(self) -> dict[tuple[str, str], ExampleSet]:
        """Every class's examples, keyed ("classify:<group>", class), for the signal bank."""
        out: dict[tuple[str, str], ExampleSet] = {}
        for group in ("outcome", "churn_reason", "churn_stage"):
            signals = getattr(self, group)
            for name in type(signals).model_fields:
                value = getattr(signals, name)
                if isinstance(value, ClassSignals) and (value.examples.en or value.examples.he):
                    out[(f"classify:{group}", name)] = value.examples
        return out


def load_classifications(path: Path) -> ClassificationFile:
    return load_yaml_model(path, ClassificationFile)


@dataclass(slots=True)
class Classification:
    outcome: str
    churn_reason: str
    churn_stage: str


class Classifier:
    def __init__(self, spec: ClassificationFile, language: str, bank=None) -> None:  # type: ignore[no-untyped-def]
        self.spec = spec
        self.language = language
        self.bank = bank
        self.final_part = spec.outcome.final_part
        self._phrases: dict[tuple[str, str], PhraseMatcher] = {}
        for group in ("outcome", "churn_reason", "churn_stage"):
            signals = getattr(spec, group)
            for name in type(signals).model_fields:
                value = getattr(signals, name)
                if isinstance(value, ClassSignals):
                    self._phrases[(group, name)] = PhraseMatcher(value.phrases.get(language))

    def _has(self, state: CallState, group: str, name: str, t: Transcript) -> bool:
        if self._phrases[(group, name)].find(t.text):
            return True
        bank = self.bank
        key = f"classify:{group}"
        if bank is None or not bank.has(key, name) or not t.text.strip():
            return False
        return bool(bank.fires(key, name, state.similarities(t, bank)))

    def classify(self, state: CallState) -> Classification:
        customer = [t for t in state.transcripts if state.is_customer(t.speaker)]
        if not customer:
            return Classification("undecided", "unknown", "content")
        return Classification(
            self._outcome(state), self._reason(state, customer), self._stage(state, customer)
        )

    def _outcome(self, state: CallState) -> str:
        said = state.transcripts
        end, start = said[-1].end, said[0].start
        tail_from = end - (end - start) * self.final_part
        outcome = "undecided"
        for t in said:
            if t.end < tail_from:
                continue
            for label in ("saved", "churned"):
                if self._has(state, "outcome", label, t):
                    outcome = label  # the last word on it counts
        return outcome

    def _reason(self, state: CallState, customer: list[Transcript]) -> str:
        counts: dict[str, int] = {}
        first: dict[str, float] = {}
        for t in customer:
            for label in _REASONS:
                if self._has(state, "churn_reason", label, t):
                    counts[label] = counts.get(label, 0) + 1
                    first.setdefault(label, t.start)
        if not counts:
            return "unknown"
        return max(counts, key=lambda k: (counts[k], -first[k]))

    def _stage(self, state: CallState, customer: list[Transcript]) -> str:
        for label in _STAGES:
            if any(self._has(state, "churn_stage", label, t) for t in customer):
                return label
        return "content"
