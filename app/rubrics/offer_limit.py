"""`offer_limit` — at most two retention offers; a third one only hurts (001).

An offer is a company utterance putting a retention tool on the table (a discount, a credit, a
free period, a freeze, a downgrade, an upgrade at no cost). The same offer repeated counts once:
offers are told apart by the kind of tool they name.
"""

from __future__ import annotations

from pydantic import Field

from app.core.events import Transcript, Verdict
from app.rubrics.base import Detector, DetectorSettings, Output

OFFER_KINDS = ("discount", "credit", "free_period", "freeze", "downgrade", "upgrade", "other")


class OfferLimitSettings(DetectorSettings):
    max_offers: int = Field(2, ge=1, le=20)
    min_words: int = Field(4, ge=1, le=50)


class OfferLimit(Detector):
    id = "offer_limit"
    settings_model = OfferLimitSettings
    phrase_kinds = tuple(f"offer_{k}" for k in OFFER_KINDS)
    nudge_kinds = ("offers_made",)
    settings: OfferLimitSettings

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.offers: list[tuple[str, Transcript]] = []

    @property
    def count(self) -> int:
        return len(self.offers)

    def on_transcript(self, t: Transcript) -> list[Output]:
        if not self.state.is_company(t.speaker) or t.words < self.settings.min_words:
            return []
        seen = {kind for kind, _ in self.offers}
        for kind in OFFER_KINDS:
            if self.match(f"offer_{kind}", t):
                if kind in seen:
                    return []
                self.offers.append((kind, t))
                finding = self.finding("offer", t, f"offer {self.count}: {kind}")
                out: list[Output] = [finding]
                if self.count == self.settings.max_offers:
                    out.append(self.nudge("offers_made", t.end, t.speaker, finding))
                return out
        return []

    def verdict(self) -> Verdict:
        st = self.state
        evidence = [st.evidence(t) for _, t in self.offers]
        if not self.offers:
            return Verdict("na", "no retention offer was made")
        kinds = ", ".join(k for k, _ in self.offers)
        if self.count > self.settings.max_offers:
            return Verdict("fail", f"{self.count} distinct offers ({kinds})", evidence)
        return Verdict("pass", f"{self.count} offer(s) ({kinds})", evidence)
