"""`no_reselling` — don't pitch the product to a customer who already pays for it (000).

A pitch is a company utterance selling the product (features, value, "did you know we also…",
upgrades, comparisons with the market). One the customer asked for ("what would the cheaper plan
include?") is not a pitch. Strongest after the customer said they know the product or that the
issue is service: one pitch then is enough to fail.
"""

from __future__ import annotations

import re

from pydantic import Field

from app.core.events import Transcript, Verdict
from app.rubrics.base import Detector, DetectorSettings, Output
from app.rubrics.pitches import pitches

# "I know what's in it" says what a customer knows, it asks nothing: a line saying it without a
# question mark is not a request to hear about a plan.
_KNOWING = re.compile(
    r"\b(?:i|we) (?:already )?know\b"
    r"|(?:^|\s)ו?(?:אני|אנחנו) (?:כבר )?(?:יודע|יודעת|יודעים|מכיר|מכירה|מכירים)(?=\s|$)",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """Could the customer's line be a question about a plan (not a statement of knowing it)?"""
    return "?" in text or _KNOWING.search(text) is None


class NoResellingSettings(DetectorSettings):
    fail_pitches: int = Field(2, ge=1, le=20)
    asked_within_s: float = Field(30.0, ge=0, le=600)
    min_words: int = Field(4, ge=1, le=50)


class NoReselling(Detector):
    id = "no_reselling"
    settings_model = NoResellingSettings
    phrase_kinds = ("pitch", "customer_knows", "customer_asks")
    grammars = {"pitch": pitches}
    nudge_kinds = ("pitch", "pitch_after_knows")
    settings: NoResellingSettings

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.knows: Transcript | None = None
        self.pitches: list[tuple[Transcript, bool]] = []  # (utterance, after "knows")

    def on_transcript(self, t: Transcript) -> list[Output]:
        st = self.state
        if st.is_customer(t.speaker):
            if self.knows is None and self.match("customer_knows", t):
                self.knows = t
            return []
        if not st.is_company(t.speaker) or t.words < self.settings.min_words:
            return []
        if not self.match("pitch", t):
            return []
        asked = st.last_customer_before(t, self.settings.asked_within_s)
        if asked is not None and asks(asked.text) and self.match("customer_asks", asked):
            return []
        after_knows = self.knows is not None and self.knows.end <= t.start
        self.pitches.append((t, after_knows))
        kind = "pitch_after_knows" if after_knows else "pitch"
        finding = self.finding(kind, t, f"pitch: {self.match('pitch', t)!r}")
        return [finding, self.nudge(kind, t.end, t.speaker, finding)]

    def verdict(self) -> Verdict:
        st = self.state
        if st.call.mono:
            return Verdict("na", "needs one channel per speaker to tell who pitched")
        if not st.call.company:
            return Verdict("na", "no company speaker in the call")
        evidence = [st.evidence(t) for t, _ in self.pitches]
        if self.knows is not None:
            evidence.insert(0, st.evidence(self.knows))
        if any(after for _, after in self.pitches):
            return Verdict(
                "fail", "pitched after the customer said they know the product", evidence
            )
        if len(self.pitches) >= self.settings.fail_pitches:
            return Verdict("fail", f"{len(self.pitches)} pitch utterances", evidence)
        return Verdict("pass", f"{len(self.pitches)} pitch utterance(s)", evidence)
