"""`cs_leads` — the CS owner opens and leads; an executive speaks little and last; support is
not in the call (000). Applies only when more than one company participant is in the call."""

from __future__ import annotations

from pydantic import Field

from app.core.events import Finding, SpeechStarted, Transcript, Verdict
from app.rubrics.base import Detector, DetectorSettings, Output


class CsLeadsSettings(DetectorSettings):
    opening_min_words: int = Field(3, ge=1, le=50)
    exec_max_share: float = Field(0.25, gt=0, le=1)
    exec_long_turn_s: float = Field(10.0, gt=0, le=600)
    last_part: float = Field(0.2, gt=0, lt=1)
    support_max_words: int = Field(12, ge=0, le=200)


class CsLeads(Detector):
    id = "cs_leads"
    settings_model = CsLeadsSettings
    phrase_kinds = ("troubleshooting",)
    nudge_kinds = ("take_the_lead", "let_cs_lead")
    settings: CsLeadsSettings

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.opener: Transcript | None = None
        self.support_turns: list[Transcript] = []
        self._exec_nudged: set[int] = set()

    @property
    def applies(self) -> bool:
        return len(self.state.call.company) > 1 and not self.state.call.mono

    def _lead_role(self, speaker: str) -> str:
        return self.state.call.participant(speaker).lead_role

    def on_transcript(self, t: Transcript) -> list[Output]:
        st = self.state
        if not self.applies or not st.is_company(t.speaker):
            return []
        out: list[Output] = []
        role = self._lead_role(t.speaker)
        if self.opener is None and t.words >= self.settings.opening_min_words:
            self.opener = t
            if role != "cs":
                finding = self.finding("opened_by_" + role, t)
                out += [finding, self.nudge("take_the_lead", t.end, finding=finding)]
        if role == "support" and (
            t.words > self.settings.support_max_words or self.match("troubleshooting", t)
        ):
            self.support_turns.append(t)
            finding = self.finding("support_troubleshoots", t)
            out += [finding, self.nudge("let_cs_lead", t.end, finding=finding)]
        return out

    def on_speech_started(self, ev: SpeechStarted) -> list[Output]:
        return self.advance(self.state.now)

    def advance(self, now: float) -> list[Output]:
        """An executive holding the floor: raised from voice activity, at the call time it hits."""
        if not self.applies:
            return []
        out: list[Output] = []
        for seg in self.state.open.values():
            if self._lead_role(seg.speaker) != "executive" or id(seg) in self._exec_nudged:
                continue
            if now - seg.start >= self.settings.exec_long_turn_s + self.state.lag_s:
                self._exec_nudged.add(id(seg))
                at = seg.start + self.settings.exec_long_turn_s + self.state.lag_s
                finding = Finding(self.id, "executive_long_turn", at, seg.speaker, seg.start, at)
                out += [finding, self.nudge("let_cs_lead", at, finding=finding)]
        return out

    def verdict(self) -> Verdict:
        st = self.state
        if st.call.mono:
            return Verdict("na", "needs one channel per speaker to tell who led")
        if not self.applies:
            return Verdict("na", "one company participant: nobody else to lead")
        s = self.settings
        evidence = []
        reasons = []
        if self.opener is not None and self._lead_role(self.opener.speaker) != "cs":
            reasons.append(f"the company was opened by {self._lead_role(self.opener.speaker)}")
            evidence.append(st.evidence(self.opener))
        end = max((seg.end_or(st.now) for seg in st.segments), default=st.now)
        last_part_from = end * (1 - s.last_part)
        company_talk = exec_talk = 0.0
        for seg in st.segments:
            if not st.is_company(seg.speaker):
                continue
            dur = seg.duration(end)
            company_talk += dur
            if self._lead_role(seg.speaker) == "executive":
                exec_talk += dur
        execs = [t for t in st.transcripts if self._lead_role(t.speaker) == "executive"]
        early_long = [
            t for t in execs if t.start < last_part_from and t.end - t.start >= s.exec_long_turn_s
        ]
        if company_talk and exec_talk / company_talk > s.exec_max_share:
            reasons.append(
                f"the executive held {exec_talk / company_talk:.0%} of the company's talk"
            )
            evidence += [st.evidence(t) for t in execs[:3]]
        elif early_long:
            reasons.append("the executive spoke at length before the last part of the call")
            evidence += [st.evidence(t) for t in early_long[:3]]
        if self.support_turns:
            reasons.append("support troubleshot in the call")
            evidence += [st.evidence(t) for t in self.support_turns[:3]]
        if reasons:
            return Verdict("fail", "; ".join(reasons), evidence)
        if self.opener is not None:
            evidence.append(st.evidence(self.opener))
        return Verdict("pass", "the CS owner opened and led the call", evidence)
