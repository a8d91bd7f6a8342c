"""Versioned prompt templates, one YAML file per task in `prompts/`.

A template has a `version` (every stored decision records "<task> v<version>"), the answer's
token limit, a system text and a user text with `{placeholders}`. Templates are validated when
the judge is made: an unknown task, a missing text or a placeholder the task does not fill is
refused with the file and the reason.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.config import ROOT

Task = Literal["coaching_notes", "second_opinion", "churn"]
TASKS: tuple[Task, ...] = ("second_opinion", "churn", "coaching_notes")
PROMPTS_DIR = ROOT / "prompts"

# What the judge fills in, per task: a template may use any of these and nothing else.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "coaching_notes": frozenset(
        {"language_name", "rubrics", "outcome", "churn_reason", "churn_stage", "transcript"}
    ),
    "second_opinion": frozenset(
        {
            "rubric_id",
            "rubric_title",
            "rubric_rule",
            "rubric_why",
            "rule_verdict",
            "rule_reason",
            "rule_evidence",
            "confidence",
            "transcript",
        }
    ),
    "churn": frozenset({"churn_reason", "churn_stage", "outcome", "transcript"}),
}


class PromptError(ValueError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    task: Task
    version: int = Field(ge=1)
    max_tokens: int = Field(ge=16, le=32000, description="the answer's token limit")
    system: str = Field(min_length=1)
    user: str = Field(min_length=1)

    @property
    def label(self) -> str:
        """How decisions name the prompt: "<task> v<version>"."""
        return f"{self.task} v{self.version}"

    def messages(self, values: dict[str, Any]) -> list[dict[str, str]]:
        """The chat messages, with the placeholders filled (values are inserted as they are:
        braces in a transcript are not read as placeholders)."""
        return [
            {"role": "system", "content": self.system.strip()},
            {"role": "user", "content": self.user.format_map(values).strip()},
        ]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def load_prompt(path: Path) -> PromptTemplate:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PromptError(path, f"cannot be read: {exc}") from exc
    try:
        prompt = PromptTemplate.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise PromptError(path, f"{where}: {first['msg']}") from exc
    if path.stem != prompt.task:
        raise PromptError(path, f"holds task {prompt.task!r}: name the file {prompt.task}.yaml")
    for part in ("system", "user"):
        try:
            names = _placeholders(getattr(prompt, part))
        except ValueError as exc:  # an unmatched brace
            raise PromptError(path, f"{part}: {exc}") from exc
        unknown = names - PLACEHOLDERS[prompt.task]
        if part == "system" and names:
            raise PromptError(path, "system: no placeholders here (the user text has them)")
        if unknown:
            known = ", ".join(sorted(PLACEHOLDERS[prompt.task]))
            raise PromptError(
                path, f"{part}: unknown placeholder(s) {', '.join(sorted(unknown))}; known: {known}"
            )
    if "transcript" not in _placeholders(prompt.user):
        raise PromptError(path, "user: the {transcript} placeholder is missing")
    return prompt


def load_prompts(folder: Path = PROMPTS_DIR) -> dict[str, PromptTemplate]:
    """Every task's template from `folder`; a missing or invalid one is refused."""
    prompts: dict[str, PromptTemplate] = {}
    for task in TASKS:
        path = folder / f"{task}.yaml"
        if not path.is_file():
            raise PromptError(path, "missing (one template per task)")
        prompts[task] = load_prompt(path)
    return prompts
