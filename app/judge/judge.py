"""The judge's tasks for one call, in order: a second opinion on each content verdict the engine
is unsure of, the churn reason and stage from the whole transcript, then the coaching notes (so
that the notes see the final verdicts). Each task gives one `Decision`, ok or error, never an
exception: a failed task leaves the rule-based result as it was."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel

from app.core.config import Settings
from app.judge.answers import ChurnRefinement, CoachingNotes, SecondOpinion
from app.judge.client import (
    Answer,
    JudgeClient,
    JudgeError,
    TokenBudget,
    estimate_tokens,
)
from app.judge.prompts import PROMPTS_DIR, PromptTemplate, load_prompts
from app.rubrics.config import RubricFile

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {"he": "Hebrew", "en": "English"}


@dataclass(slots=True)
class Decision:
    """One judge decision, as stored (`judge_decisions`) and shown on the scorecard."""

    task: str
    rubric: str | None
    status: str  # ok / error
    model: str
    prompt_version: str
    latency_ms: int
    result: dict[str, Any] | None = None
    error: str | None = None
    tokens: int = 0

    @property
    def judged_by(self) -> str:
        return f"model {self.model} (prompt {self.prompt_version})"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["judged_by"] = self.judged_by
        return data


def utterance_ids(card: Mapping[str, Any]) -> list[str]:
    return [f"u{i}" for i in range(len(card.get("utterances") or []))]


def render_transcript(card: Mapping[str, Any]) -> str:
    lines = []
    for i, u in enumerate(card.get("utterances") or []):
        text = " ".join(str(u.get("text", "")).split())
        lines.append(
            f"u{i} [{float(u['start']):.1f}-{float(u['end']):.1f} s] {u.get('role', '?')}: {text}"
        )
    return "\n".join(lines)


def _evidence(card: Mapping[str, Any], ids: list[str]) -> list[dict[str, Any]]:
    """Cited ids as the scorecard's evidence: speaker, role, start, end, text."""
    utterances = card.get("utterances") or []
    out = []
    for uid in dict.fromkeys(ids):  # in order, once each
        u = utterances[int(uid[1:])]
        out.append(
            {
                "id": uid,
                "speaker": u.get("speaker", ""),
                "role": u.get("role", ""),
                "start": u["start"],
                "end": u["end"],
                "text": u.get("text", ""),
            }
        )
    return out


def _rubric_lines(card: Mapping[str, Any], specs: Mapping[str, RubricFile]) -> str:
    lines = []
    for rid, v in (card.get("verdicts") or {}).items():
        spec = specs.get(rid)
        title = spec.title.en if spec else rid
        rule = f" — {spec.rule.en}" if spec else ""
        lines.append(f"- {rid} ({title}{rule}): {v.get('verdict')} — {v.get('reason', '')}")
    return "\n".join(lines) or "- (none)"


class Judge:
    """Runs the judge's tasks for one call at a time (the client and its circuit are shared)."""

    def __init__(
        self,
        settings: Settings,
        specs: Callable[[], Mapping[str, RubricFile]],
        prompts_dir=PROMPTS_DIR,  # type: ignore[no-untyped-def]
    ) -> None:
        self.settings = settings
        self.specs = specs
        self.prompts: dict[str, PromptTemplate] = load_prompts(prompts_dir)
        self.client = JudgeClient(settings)
        self.model = self.client.model

    async def close(self) -> None:
        await self.client.close()

    def borderline(self, card: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Verdicts the engine is less sure of than the threshold, least sure first."""
        specs = self.specs()
        threshold = self.settings.judge_confidence_threshold
        unsure = [
            (rid, v)
            for rid, v in (card.get("verdicts") or {}).items()
            if rid in specs and float(v.get("confidence", 1.0)) < threshold
        ]
        return sorted(unsure, key=lambda item: float(item[1].get("confidence", 1.0)))

    async def decide(self, card: Mapping[str, Any]) -> AsyncIterator[Decision]:
        """Every decision for the call whose scorecard (with utterances) is `card`."""
        ids = utterance_ids(card)
        if not ids:
            return  # nothing was said: nothing to judge
        transcript = render_transcript(card)
        budget = TokenBudget(self.settings.judge_max_tokens_per_call)
        specs = self.specs()
        notes_values = self._notes_values(card, specs, transcript)
        notes_prompt = self.prompts["coaching_notes"]
        # Second opinions and the churn refinement leave room for the notes, on every scorecard.
        reserve = estimate_tokens(notes_prompt.messages(notes_values)) + notes_prompt.max_tokens
        for rid, verdict in self.borderline(card):
            spec = specs[rid]
            values = {
                "rubric_id": rid,
                "rubric_title": spec.title.en,
                "rubric_rule": spec.rule.en,
                "rubric_why": spec.why.en,
                "rule_verdict": verdict.get("verdict"),
                "rule_reason": verdict.get("reason", ""),
                "rule_evidence": _cite_rule_evidence(card, verdict),
                "confidence": f"{float(verdict.get('confidence', 1.0)):.2f}",
                "transcript": transcript,
            }
            yield await self._run("second_opinion", rid, values, card, ids, budget, reserve)
        values = {
            "churn_reason": card.get("churn_reason"),
            "churn_stage": card.get("churn_stage"),
            "outcome": card.get("outcome"),
            "transcript": transcript,
        }
        yield await self._run("churn", None, values, card, ids, budget, reserve)
        yield await self._run("coaching_notes", None, notes_values, card, ids, budget, 0)

    def _notes_values(
        self, card: Mapping[str, Any], specs: Mapping[str, RubricFile], transcript: str
    ) -> dict[str, Any]:
        return {
            "language_name": LANGUAGE_NAMES.get(str(card.get("language")), "English"),
            "rubrics": _rubric_lines(card, specs),
            "outcome": card.get("outcome"),
            "churn_reason": card.get("churn_reason"),
            "churn_stage": card.get("churn_stage"),
            "transcript": transcript,
        }

    async def _run(
        self,
        task: str,
        rubric: str | None,
        values: dict[str, Any],
        card: Mapping[str, Any],
        ids: list[str],
        budget: TokenBudget,
        reserve: int,
    ) -> Decision:
        prompt = self.prompts[task]
        started = time.perf_counter()
        try:
            answer = await self.client.ask(prompt, values, ids, budget, reserve=reserve)
        except JudgeError as exc:
            logger.warning("judge %s%s failed: %s", task, f" {rubric}" if rubric else "", exc)
            latency_ms = round((time.perf_counter() - started) * 1000)
            return Decision(
                task, rubric, "error", self.model, prompt.label, latency_ms, None,
                f"{exc.kind}: {exc}",
            )  # fmt: skip
        try:
            result = _result(task, answer, card)
        except ValueError as exc:  # e.g. notes in the wrong language
            return Decision(
                task, rubric, "error", self.model, prompt.label, answer.latency_ms, None,
                f"malformed: {exc}", answer.tokens,
            )  # fmt: skip
        return Decision(
            task, rubric, "ok", self.model, prompt.label, answer.latency_ms, result, None,
            answer.tokens,
        )  # fmt: skip


def _cite_rule_evidence(card: Mapping[str, Any], verdict: Mapping[str, Any]) -> str:
    """The engine's evidence as the transcript's ids, so the model can find it."""
    utterances = card.get("utterances") or []
    cited = []
    for ev in verdict.get("evidence") or []:
        for i, u in enumerate(utterances):
            if abs(float(u["start"]) - float(ev.get("start", -1))) < 0.05 and u.get(
                "speaker"
            ) == ev.get("speaker"):
                cited.append(f"u{i}")
                break
    return ", ".join(cited) or "none"


_HEBREW = range(0x0590, 0x0600)


def _in_language(text: str, language: str) -> bool:
    """Hebrew notes have Hebrew letters; English ones have Latin letters."""
    if language == "he":
        return any(ord(ch) in _HEBREW for ch in text)
    return any("a" <= ch.lower() <= "z" for ch in text)


def _result(task: str, answer: Answer, card: Mapping[str, Any]) -> dict[str, Any]:
    value: BaseModel = answer.value
    if isinstance(value, CoachingNotes):
        language = str(card.get("language", "en"))
        points = {}
        for name in ("went_well", "to_change", "try_saying"):
            point = getattr(value, name)
            if not _in_language(point.text, language):
                raise ValueError(
                    f"{name} is not in {LANGUAGE_NAMES.get(language, language)}: {point.text!r}"
                )
            points[name] = {"text": point.text.strip(), "evidence": _evidence(card, point.evidence)}
        return {"language": language, **points}
    if isinstance(value, SecondOpinion):
        return {
            "verdict": value.verdict,
            "reason": value.reason.strip(),
            "evidence": _evidence(card, value.evidence),
        }
    if isinstance(value, ChurnRefinement):
        return {
            "churn_reason": value.churn_reason,
            "churn_stage": value.churn_stage,
            "reason": value.reason.strip(),
            "evidence": _evidence(card, value.evidence),
        }
    raise TypeError(f"no result for {task}")
