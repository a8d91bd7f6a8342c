"""Labelled calls (`*.call.json`, see CALL_FORMAT.md): validated input for the transcript driver.
The `expected` block is read too (for evaluations) but never used by the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.core.events import Participant, Transcript
from app.engine.state import CallInfo


class CallFileError(ValueError):
    pass


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ParticipantIn(_Model):
    id: str = Field(min_length=1, max_length=64)
    role: Literal["customer", "cs", "executive", "support", "rep"]
    name: str = Field("", max_length=200)


class UtteranceIn(_Model):
    speaker: str = Field(min_length=1, max_length=64)
    start: float = Field(ge=0, le=6 * 3600)
    end: float = Field(ge=0, le=6 * 3600)
    text: str = Field(max_length=20000)

    @model_validator(mode="after")
    def _order(self) -> UtteranceIn:
        if self.end < self.start:
            raise ValueError(f"utterance ends ({self.end}) before it starts ({self.start})")
        return self


class CallFile(_Model):
    id: str = Field("call", min_length=1, max_length=200)
    language: Literal["en", "he"]
    title: str = ""
    participants: list[ParticipantIn] = Field(min_length=1, max_length=16)
    utterances: list[UtteranceIn] = Field(max_length=20000)
    expected: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _speakers(self) -> CallFile:
        ids = [p.id for p in self.participants]
        if len(set(ids)) != len(ids):
            raise ValueError("participant ids must be unique")
        for i, u in enumerate(self.utterances):
            if u.speaker not in ids:
                raise ValueError(f"utterances.{i}.speaker {u.speaker!r} is not a participant")
        return self

    def info(self) -> CallInfo:
        return CallInfo(
            self.id,
            self.language,
            tuple(Participant(p.id, p.role, p.name) for p in self.participants),
        )

    def transcripts(self) -> list[Transcript]:
        return [
            Transcript(u.speaker, u.start, u.end, u.text, True, i)
            for i, u in enumerate(sorted(self.utterances, key=lambda u: (u.start, u.end)))
        ]


def parse_call(data: bytes | str, source: str = "call") -> CallFile:
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CallFileError(f"{source}: not valid JSON ({exc})") from exc
    try:
        return CallFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(call)"
        raise CallFileError(f"{source}: {where}: {first['msg']}") from exc


def load_call(path: Path) -> CallFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CallFileError(f"{path}: cannot read ({exc.strerror})") from exc
    return parse_call(data, str(path))
