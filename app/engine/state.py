"""What the engine knows of a call so far: who is in it, when each spoke, what each said."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from app.core.events import Evidence, Participant, Transcript
from app.rubrics.text import split_sentences

# A sentence read on its own by `CallState.sentence_readings` has at least this many words.
SENTENCE_MIN_WORDS = 3


@dataclass(frozen=True, slots=True)
class CallInfo:
    call_id: str
    language: str
    participants: tuple[Participant, ...]
    # A single mixed channel: speech is transcribed, but who said it is unknown.
    mono: bool = False

    def participant(self, speaker: str) -> Participant:
        for p in self.participants:
            if p.id == speaker:
                return p
        return Participant(speaker, "unknown", speaker)

    @property
    def company(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.is_company)

    @property
    def customers(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.role == "customer")

    @property
    def lead(self) -> Participant | None:
        """The company speaker who owns the call (cs, else rep, else the first company one)."""
        company = self.company
        for role in ("cs", "rep"):
            for p in company:
                if p.role == role:
                    return p
        return company[0] if company else None


@dataclass(slots=True)
class Segment:
    """A stretch of one speaker's speech; `end` is None while it goes on."""

    speaker: str
    start: float
    end: float | None = None

    def end_or(self, now: float) -> float:
        return self.end if self.end is not None else now

    def duration(self, now: float) -> float:
        return self.end_or(now) - self.start


@dataclass
class CallState:
    call: CallInfo
    now: float = 0.0
    segments: list[Segment] = field(default_factory=list)  # in order of start
    open: dict[str, Segment] = field(default_factory=dict)
    transcripts: list[Transcript] = field(default_factory=list)  # final, in order of end
    # How long after speech stops the driver may still report it as going on (the VAD's
    # silence hangover; 0 for a transcript). A segment open longer than X is only known to be
    # longer than X once `lag_s` has passed: decisions wait for that, their call time does not.
    lag_s: float = 0.0
    _similarities: dict[int, Any] = field(default_factory=dict)
    # Utterances one rubric marks for another (offer_limit's offers, for find_real_reason).
    marks: dict[str, list[Transcript]] = field(default_factory=dict)
    outcome: str | None = None  # set at the end, before the verdicts
    outcome_confidence: float = 1.0

    def vector(self, t: Transcript, embedder: Any) -> Any:
        """The utterance's embedding, computed once however many rubrics ask."""
        return embedder.embed(t.text)

    def similarities(self, t: Transcript, bank: Any) -> Any:
        """The utterance against every rubric example, computed once however many ask."""
        key = id(t)
        sims = self._similarities.get(key)
        if sims is None:
            sims = self._similarities[key] = bank.read(t.text)
        return sims

    def sentence_readings(self, t: Transcript, bank: Any) -> list[Any]:
        """Each sentence of a longer utterance read on its own, computed once: a decision is
        often one clause of a turn that says other things too ("A month costs me nothing.
        Alright. Forget the cancellation, I'll keep playing."), and the whole turn's embedding
        averages it away. Questions are left out: they ask, they don't decide. Empty for a
        one-sentence utterance (its reading is `similarities`)."""
        key = id(t)
        readings = self._sentences.get(key)
        if readings is None:
            parts = [
                p
                for p in split_sentences(t.text)
                if len(p.split()) >= SENTENCE_MIN_WORDS and not p.endswith("?")
            ]
            readings = [bank.read(p) for p in parts] if len(parts) > 1 else []
            self._sentences[key] = readings
        return readings

    _sentences: dict[int, list[Any]] = field(default_factory=dict)
    _ends: list[float] = field(default_factory=list)

    def role(self, speaker: str) -> str:
        return self.call.participant(speaker).role

    def is_company(self, speaker: str) -> bool:
        return self.call.participant(speaker).is_company

    def is_customer(self, speaker: str) -> bool:
        return self.role(speaker) == "customer"

    def start_segment(self, speaker: str, at: float) -> Segment:
        seg = Segment(speaker, at)
        self.open[speaker] = seg
        self.segments.append(seg)
        return seg

    def end_segment(self, speaker: str, start: float, end: float) -> Segment:
        seg = self.open.pop(speaker, None)
        if seg is None:  # a stretch reported whole (no start seen): record it as it is
            seg = Segment(speaker, start)
            self.segments.append(seg)
        seg.end = end
        return seg

    def add_transcript(self, t: Transcript) -> None:
        i = bisect.bisect_right(self._ends, t.end)
        self._ends.insert(i, t.end)
        self.transcripts.insert(i, t)

    def transcript_near(self, speaker: str, start: float, end: float) -> Transcript | None:
        """The final transcript of `speaker` that overlaps [start, end] the most."""
        best, overlap = None, 0.0
        for t in self.transcripts:
            if t.speaker != speaker:
                continue
            o = min(t.end, end) - max(t.start, start)
            if o > overlap or (best is None and o >= 0):
                best, overlap = t, max(o, 0.0)
        return best

    def evidence(self, t: Transcript) -> Evidence:
        return Evidence(t.speaker, self.role(t.speaker), round(t.start, 2), round(t.end, 2), t.text)

    def last_customer_before(self, t: Transcript, within_s: float = 60.0) -> Transcript | None:
        """The customer's last final utterance that began before `t` did, if recent."""
        for prev in reversed(self.transcripts):
            if prev is t or prev.start >= t.start or not self.is_customer(prev.speaker):
                continue
            if t.start - prev.end <= within_s:
                return prev
            return None
        return None
