"""What each judge task must answer: a pydantic model, and the JSON schema sent with the request.

The schema constrains the model's output (OpenAI structured outputs, or a grammar on llama.cpp
servers); the answer is validated with the same model afterwards all the same, since not every
endpoint enforces every keyword. Utterances are cited by id (`u0`, `u1`, ...): the schema sent
for a call lists that call's ids, and an id the call does not have is refused.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TEXT_MAX = 400  # characters of one note or reason
# The scorecard's labels (RUBRICS.md, "On every scorecard"; app/engine/classify.py).
ChurnReason = Literal["product", "service", "price", "non_usage", "other", "unknown"]
ChurnStage = Literal["content", "thawing", "anti", "switching", "refrozen"]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NotePoint(_Answer):
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    evidence: list[str] = Field(min_length=1, max_length=3)


class CoachingNotes(_Answer):
    went_well: NotePoint
    to_change: NotePoint
    try_saying: NotePoint


class SecondOpinion(_Answer):
    verdict: Literal["pass", "fail", "na"]
    reason: str = Field(min_length=1, max_length=TEXT_MAX)
    evidence: list[str] = Field(max_length=5)


class ChurnRefinement(_Answer):
    churn_reason: ChurnReason
    churn_stage: ChurnStage
    reason: str = Field(min_length=1, max_length=TEXT_MAX)
    evidence: list[str] = Field(max_length=5)


ANSWERS: dict[str, type[_Answer]] = {
    "coaching_notes": CoachingNotes,
    "second_opinion": SecondOpinion,
    "churn": ChurnRefinement,
}


def cited(answer: BaseModel) -> list[str]:
    """Every utterance id an answer cites."""
    if isinstance(answer, CoachingNotes):
        return [*answer.went_well.evidence, *answer.to_change.evidence, *answer.try_saying.evidence]
    return list(getattr(answer, "evidence", []))


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with local `$ref`s replaced by what they name (not every server follows
    references)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k not in ("$defs", "title")}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _strip(node: Any, keys: frozenset[str]) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v, keys) for k, v in node.items() if k not in keys}
    if isinstance(node, list):
        return [_strip(v, keys) for v in node]
    return node


def _constrain_ids(node: Any, ids: list[str]) -> None:
    """Every `evidence` array's items: one of the call's utterance ids."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "evidence" and isinstance(value, dict) and value.get("type") == "array":
                value["items"] = {"type": "string", "enum": list(ids)}
            else:
                _constrain_ids(value, ids)
    elif isinstance(node, list):
        for value in node:
            _constrain_ids(value, ids)


def answer_schema(task: str, ids: list[str], *, lengths: bool) -> dict[str, Any]:
    """The JSON schema of `task`'s answer for a call whose utterances have `ids`.

    `lengths`: keep string length limits (llama.cpp grammars honour them and they keep a small
    model from rambling); OpenAI's strict structured outputs accept no length keywords, so they
    are left out there and checked on the answer instead."""
    raw = ANSWERS[task].model_json_schema()
    schema = _inline(raw, raw.get("$defs", {}))
    if not lengths:
        schema = _strip(schema, frozenset({"minLength", "maxLength"}))
    schema = copy.deepcopy(schema)
    _constrain_ids(schema, ids)
    return schema
