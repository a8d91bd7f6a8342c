"""What every rubric detector is: fed the call's events in call-time order, it returns findings
and nudge requests as they happen, and a verdict with evidence at the end."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

from app.core.events import Finding, SpeechEnded, SpeechStarted, Transcript, Verdict
from app.engine.state import CallState
from app.rubrics.config import RubricFile, RubricFileError, validate_part
from app.rubrics.text import PhraseMatcher, normalize, split_at_stops

if TYPE_CHECKING:
    from app.nlp.signals import SignalBank


# How sure a verdict resting on a literal phrase (or a grammar's hit) is: phrases are chosen to
# mean the kind, but a phrase can be said in passing, quoted or negated.
PHRASE_SURENESS = 0.9

# A kind told by its grammar: the utterance's text in, the words that decided it (or True) out;
# None or False when the grammar does not take it.
Grammar = Callable[[str], "str | bool | None"]


def _addressed(name: str, text: str) -> bool:
    """Is someone of this name spoken to in `text`: named at the head of a sentence before a
    comma or a question ("Daniel, do you want to take that?", "ודנה?"), or at its end after a
    comma ("anything to add, Maya?")?"""
    first = normalize(name).split()
    if not first:
        return False
    n = re.escape(first[0])
    # A comma after the name may open a description of them instead ("Daniel, who heads our
    # fleet team, is on the line too"; "דניאל, מנהל הצי שלנו, איתנו").
    vocative = re.compile(
        rf"^[\W_]*(?:ו)?{n}\s*(?:[?!:]|$|,(?!\s*(?:{_APPOSITION})\b))|,\s*{n}[\s.?!]*$",
        re.IGNORECASE,
    )
    return any(vocative.search(s.strip()) for s in split_at_stops(text))


_APPOSITION = (
    r"who|whom|whose|which|from|our|my|the|who's|head|שמנהל|שמנהלת|שאחראי|שאחראית|שעובד|שעובדת|"
    r"מהצוות|ממחלקת|מהמחלקה|ראש|מנהל|מנהלת|אחראי|אחראית"
)


class DetectorSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class NudgeRequest:
    """A detector asks for a nudge; the policy decides whether it goes out."""

    rubric: str
    kind: str
    at: float
    to: str
    finding: Finding | None = None


Output = Finding | NudgeRequest


class Detector(ABC):
    """One rubric. Subclasses declare `settings_model`, `phrase_kinds` and `nudge_kinds`, and
    `grammars` for the kinds told by the shape of what is said as well as by phrases and
    meaning."""

    id: ClassVar[str]
    settings_model: ClassVar[type[DetectorSettings]] = DetectorSettings
    phrase_kinds: ClassVar[tuple[str, ...]] = ()
    nudge_kinds: ClassVar[tuple[str, ...]] = ()
    grammars: ClassVar[Mapping[str, Grammar]] = {}

    def __init__(
        self,
        spec: RubricFile,
        settings: DetectorSettings,
        state: CallState,
        bank: SignalBank | None = None,
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.state = state
        self.bank = bank
        lang = state.call.language
        self.phrases = {
            k: PhraseMatcher.shared(tuple(spec.phrases[k].get(lang))) for k in self.phrase_kinds
        }

    @classmethod
    def check_file(cls, path: Path, spec: RubricFile) -> DetectorSettings:
        """Validate the parts of the file this detector reads; return its settings."""
        settings = validate_part(path, "settings", cls.settings_model, spec.settings)
        for kind in cls.phrase_kinds:
            if kind not in spec.phrases:
                raise RubricFileError(path, f"phrases.{kind}", "missing phrase list")
        for kind in spec.phrases:
            if kind not in cls.phrase_kinds:
                raise RubricFileError(path, f"phrases.{kind}", f"unknown phrase list for {cls.id}")
        for kind in spec.examples:
            if kind not in cls.phrase_kinds:
                raise RubricFileError(path, f"examples.{kind}", f"unknown kind for {cls.id}")
        for kind in cls.nudge_kinds:
            if kind not in spec.nudges:
                raise RubricFileError(path, f"nudges.{kind}", "missing nudge text")
        for kind in spec.nudges:
            if kind not in cls.nudge_kinds:
                raise RubricFileError(path, f"nudges.{kind}", f"unknown nudge for {cls.id}")
        return settings

    # --- events, in call-time order -------------------------------------------------------
    def on_speech_started(self, ev: SpeechStarted) -> list[Output]:
        return []

    def on_speech_ended(self, ev: SpeechEnded) -> list[Output]:
        return []

    def on_transcript(self, t: Transcript) -> list[Output]:
        return []

    def advance(self, now: float) -> list[Output]:
        return []

    def finish(self, end: float) -> list[Output]:
        return []

    @abstractmethod
    def verdict(self) -> Verdict:
        """pass / fail / na, with the reason and the utterances that decided it."""

    # --- helpers --------------------------------------------------------------------------
    def finding(self, kind: str, t: Transcript, detail: str = "") -> Finding:
        return Finding(self.id, kind, t.end, t.speaker, t.start, t.end, t.text, detail)

    def nudge(
        self, kind: str, at: float, to: str | None = None, finding: Finding | None = None
    ) -> NudgeRequest:
        lead = self.state.call.lead
        return NudgeRequest(self.id, kind, at, to or (lead.id if lead else ""), finding)

    def to_colleague(self, t: Transcript) -> bool:
        """Said to another company participant by name ("Maya, anything to add?", "דנה?"), not
        to the customer. A colleague named in passing ("Daniel, who heads our fleet team, is on
        the line too") is not spoken to."""
        others = [p for p in self.state.call.participants if p.id != t.speaker and p.name]
        colleague = [p for p in others if p.is_company]
        return any(_addressed(p.name, t.text) for p in colleague) and not any(
            _addressed(p.name, t.text) for p in others if not p.is_company
        )

    def sureness(self, kind: str, t: Transcript) -> float:
        """How sure the detector is of its reading of `t` for `kind`, whichever way it went,
        0..1: a phrase said (or the kind's grammar taking it) is `PHRASE_SURENESS`; by meaning,
        the distance of the kind's head (or nearest-example margin) from its threshold."""
        if self.phrases[kind].find(t.text) is not None or self.grammatical(kind, t):
            return PHRASE_SURENESS
        bank = self.bank
        if bank is None or not bank.has(self.id, kind) or not t.text.strip():
            return PHRASE_SURENESS  # phrases only: a phrase not said is as sure as one said
        sims = self.state.similarities(t, bank)
        sure = bank.confidence(self.id, kind, sims)
        if not self._by_meaning(kind) and bank.fires(self.id, kind, sims):
            return 1.0 - sure  # meaning says it is; phrases and grammar, which decide, say not
        return sure

    def _by_meaning(self, kind: str) -> bool:
        examples = self.spec.examples.get(kind)
        return examples is None or examples.decides

    def sureness_none(self, kinds: tuple[str, ...], utterances: list[Transcript]) -> float:
        """How sure that none of `utterances` is of any of `kinds`: the closest call decides."""
        return min((self.sureness(k, t) for t in utterances for k in kinds), default=1.0)

    def company_said(self) -> list[Transcript]:
        return [t for t in self.state.transcripts if self.state.is_company(t.speaker)]

    def grammatical(self, kind: str, t: Transcript) -> str | None:
        """The words by which the kind's grammar takes `t` ("~grammar" when it names none)."""
        grammar = self.grammars.get(kind)
        why = grammar(t.text) if grammar is not None else None
        if not why:
            return None
        return why if isinstance(why, str) else "~grammar"

    def reads_as(self, t: Transcript, rubric: str, kind: str) -> bool:
        """Another rubric's reading of the utterance by meaning (the same embedding, another
        head)."""
        bank = self.bank
        return bool(
            bank
            and bank.has(rubric, kind)
            and bank.fires(rubric, kind, self.state.similarities(t, bank))
        )

    def match(self, kind: str, t: Transcript) -> str | None:
        """Why `t` is of `kind`: the phrase it says, the words its grammar takes, or "~meaning"
        when its meaning is close to the rubric's examples of that kind; None when it is not."""
        phrase = self.phrases[kind].find(t.text) or self.grammatical(kind, t)
        if phrase is not None:
            return phrase
        bank = self.bank
        if bank is None or not bank.has(self.id, kind) or not t.text.strip():
            return None
        if not self._by_meaning(kind):
            return None
        sims = self.state.similarities(t, bank)
        return "~meaning" if bank.fires(self.id, kind, sims) else None
