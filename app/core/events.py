"""The events that flow through a call, one small frozen dataclass per kind.

Every event carries call time in seconds, counted from the audio samples (or the transcript's
own times), never the wall clock; so a call replayed from a transcript and the same call streamed
live produce the same events.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

Role = Literal["customer", "cs", "executive", "support", "rep"]
COMPANY_ROLES: frozenset[str] = frozenset({"cs", "executive", "support", "rep"})
ROLES: tuple[str, ...] = ("customer", "cs", "executive", "support", "rep")
Severity = Literal["info", "warning", "critical"]
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    role: str
    name: str = ""

    @property
    def is_company(self) -> bool:
        return self.role in COMPANY_ROLES

    @property
    def lead_role(self) -> str:
        """`rep` is a single company agent whose role is not split: treat it as `cs`."""
        return "cs" if self.role == "rep" else self.role


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """Voice activity began on a speaker's track at `at` (backdated to the first speech frame)."""

    speaker: str
    at: float


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """A stretch of speech on a speaker's track, known once enough silence followed it."""

    speaker: str
    start: float
    end: float


@dataclass(frozen=True, slots=True, eq=False)
class UtteranceAudio:
    """Audio of one utterance for the recogniser: partial while the turn goes on, then final."""

    speaker: str
    utterance_id: int
    start: float
    end: float
    samples: np.ndarray
    final: bool
    turn: int = 0  # the speaker's turn this utterance belongs to (a long turn has several)
    # Cut as soon as a pause begins, before the turn is known to have ended: transcribed at
    # once, and reused if the final utterance turns out the same (it saves the VAD's wait).
    speculative: bool = False
    # A leading piece of a longer utterance, cut at a pause while the speaker goes on and sent
    # ahead to be transcribed at once: the final then only waits for its last piece.
    ahead: bool = False
    # A final's pieces: (start, end) sample offsets into `samples`, one per piece in order; the
    # final's text is its pieces' texts joined (the same cut live and offline).
    pieces: tuple[tuple[int, int], ...] = ()
    # Where the utterance begins; partials, guesses and pieces ahead cover only its last part.
    utterance_start: float | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """Text of an utterance. Only final transcripts reach the rubrics; partials are for display."""

    speaker: str
    start: float
    end: float
    text: str
    final: bool = True
    utterance_id: int = -1
    turn: int = -1

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a rubric detector saw at a moment of the call, with the utterance behind it."""

    rubric: str
    kind: str
    at: float
    speaker: str
    start: float
    end: float
    text: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Nudge:
    """A live hint to a company speaker, at the call time of the event that triggered it."""

    rubric: str
    kind: str
    at: float
    to: str
    text: str
    severity: str = "warning"
    why: str = ""


@dataclass(frozen=True, slots=True)
class CallError:
    """A stage failed on this call (a transcription, a judge): reported, the call goes on."""

    stage: str
    message: str
    at: float


@dataclass(slots=True)
class Evidence:
    speaker: str
    role: str
    start: float
    end: float
    text: str


@dataclass(slots=True)
class Verdict:
    verdict: Literal["pass", "fail", "na"]
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    # How sure the engine is of this verdict, 0..1 (timing rules: 1). Below the judge's
    # threshold an optional LLM judge may give a second opinion (issue 8).
    confidence: float = 1.0
    judged_by: str | None = None  # "model X (prompt v)" when an LLM judge decided


def to_dict(obj: Any) -> dict[str, Any]:
    """An event or record as JSON-ready data (numpy audio is never part of it)."""
    data = asdict(obj)
    data.pop("samples", None)
    return data
