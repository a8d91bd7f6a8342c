"""Rubric files (`rubrics/<id>.yaml`): loaded, validated against a schema, refused with reasons.

A file holds what a team lead may change without code: titles, the rule, nudge texts in Hebrew
and English, the cooldown between nudges, detector settings (thresholds, timings) and phrase
lists per language. Each detector declares the settings and phrase lists it reads; anything else,
or a value out of range, is refused with the file, the field and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

RUBRIC_IDS: tuple[str, ...] = (
    "listen_first",
    "no_reselling",
    "cs_leads",
    "kind_rant_interrupt",
    "no_defensiveness",
    "offer_limit",
    "find_real_reason",
    "say_we_want_you",
    "own_the_follow_up",
    "no_badmouthing",
    "satisfaction_check",
    "leave_door_open",
)
LANGUAGES: tuple[str, ...] = ("en", "he")


class RubricFileError(ValueError):
    """An invalid rubric file: names the file, the field and the reason."""

    def __init__(self, path: Path | str, field: str, reason: str) -> None:
        self.path, self.field, self.reason = str(path), field, reason
        super().__init__(f"{path}: {field}: {reason}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    """The same text in each supported language."""

    en: str = Field(min_length=1, max_length=500)
    he: str = Field(min_length=1, max_length=500)

    def get(self, language: str) -> str:
        return self.he if language == "he" else self.en


class NudgeSpec(_Strict):
    text: Texts
    severity: Literal["info", "warning", "critical"] = "warning"


class PhraseLists(_Strict):
    en: list[str] = Field(default_factory=list, max_length=2000)
    he: list[str] = Field(default_factory=list, max_length=2000)

    @field_validator("en", "he")
    @classmethod
    def _phrases(cls, v: list[str]) -> list[str]:
        for phrase in v:
            if not isinstance(phrase, str) or not phrase.strip():
                raise ValueError("phrases must be non-empty strings")
            if len(phrase) > 200:
                raise ValueError(f"phrase longer than 200 characters: {phrase[:40]!r}…")
        return v

    def get(self, language: str) -> list[str]:
        return self.he if language == "he" else self.en


class ExampleSet(_Strict):
    """Example utterances of one kind (a pitch, a procedure excuse, …), matched by meaning.
    `counter` holds near misses that are not that kind."""

    en: list[str] = Field(default_factory=list, max_length=500)
    he: list[str] = Field(default_factory=list, max_length=500)
    counter: PhraseLists = Field(default_factory=PhraseLists)
    margin: float = Field(0.02, ge=-1, le=1)
    min_similarity: float = Field(0.80, ge=0, le=1)
    # How an utterance is judged of the kind: `head`, a logistic regression trained at start-up
    # on these examples against everyday call talk (rubrics/contrast.yaml), the counters and
    # the other kinds' examples, firing at probability `threshold`; or `nearest`, its closest
    # examples closer than its closest contrast sentences by `margin` (and `min_similarity`);
    # or `either` of the two.
    method: Literal["head", "nearest", "either"] = "head"
    threshold: float = Field(0.8, gt=0, lt=1)
    # Whether meaning alone makes an utterance of the kind. Where it does not (a kind its
    # phrases and grammar tell better), a reading by meaning that disagrees with them only
    # lowers the verdict's confidence, so the judge (when one is set up) looks at it; the
    # examples still teach the other kinds' heads what they are not.
    decides: bool = True

    @field_validator("en", "he")
    @classmethod
    def _sentences(cls, v: list[str]) -> list[str]:
        for sentence in v:
            if not isinstance(sentence, str) or not sentence.strip():
                raise ValueError("examples must be non-empty strings")
            if len(sentence) > 500:
                raise ValueError(f"example longer than 500 characters: {sentence[:40]!r}…")
        return v

    def get(self, language: str) -> list[str]:
        return self.he if language == "he" else self.en


class RubricFile(_Strict):
    id: Literal[RUBRIC_IDS]  # type: ignore[valid-type]
    title: Texts
    rule: Texts
    why: Texts
    source: list[Literal["000", "001", "002", "003", "004"]] = Field(min_length=1)
    cooldown_s: float = Field(30.0, ge=0, le=3600)
    nudges: dict[str, NudgeSpec] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    phrases: dict[str, PhraseLists] = Field(default_factory=dict)
    examples: dict[str, ExampleSet] = Field(default_factory=dict)


def _field_of(error: dict[str, Any]) -> str:
    return ".".join(str(p) for p in error["loc"]) or "(file)"


def load_rubric_file(path: Path) -> RubricFile:
    """Parse and validate one rubric file (schema only; detectors check their own settings)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricFileError(path, "(file)", f"cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise RubricFileError(path, "(file)", f"not valid YAML{line}") from exc
    if not isinstance(raw, dict):
        raise RubricFileError(path, "(file)", "must be a mapping of fields")
    try:
        rubric = RubricFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RubricFileError(path, _field_of(first), first["msg"]) from exc
    if path.stem != rubric.id:
        raise RubricFileError(path, "id", f"{rubric.id!r} does not match the file name")
    return rubric


M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: Path, model: type[M]) -> M:
    """A YAML file of the rubric folder, validated against `model`; refused with the file,
    the field and the reason."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricFileError(path, "(file)", f"cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise RubricFileError(path, "(file)", "not valid YAML") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RubricFileError(path, _field_of(first), first["msg"]) from exc


def validate_part(path: Path, prefix: str, model: type[BaseModel], data: Any) -> Any:
    """Validate a detector's part of a rubric file, naming the field on error."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = f"{prefix}.{_field_of(first)}" if first["loc"] else prefix
        raise RubricFileError(path, where, first["msg"]) from exc
