"""`offer_limit` — at most two retention offers; a third one only hurts (001).

An offer is a company utterance putting a retention tool on the table (a discount, a credit, a
free period, a freeze, a downgrade, an upgrade at no cost). The same offer repeated counts once:
an utterance whose offer phrases were all heard in one earlier offer is that offer again.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.core.events import Transcript, Verdict
from app.rubrics.base import Detector, DetectorSettings, Output

OFFER_KINDS = ("discount", "credit", "free_period", "freeze", "downgrade", "upgrade", "other")


class OfferLimitSettings(DetectorSettings):
    max_offers: int = Field(2, ge=1, le=20)
    min_words: int = Field(4, ge=1, le=50)
    same_offer_similarity: float = Field(0.93, ge=0, le=1)


class OfferLimit(Detector):
    id = "offer_limit"
    settings_model = OfferLimitSettings
    phrase_kinds = tuple(f"offer_{k}" for k in OFFER_KINDS)
    nudge_kinds = ("offers_made",)
    settings: OfferLimitSettings

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.offers: list[tuple[str, Transcript]] = []
        self._signatures: list[frozenset[str]] = []
        self._seen: list[Any] = []  # embeddings of the offers made

    def _vector(self, t: Transcript) -> Any:
        assert self.bank is not None
        return self.state.vector(t, self.bank.embedder)

    @property
    def count(self) -> int:
        return len(self.offers)

    def on_transcript(self, t: Transcript) -> list[Output]:
        if not self.state.is_company(t.speaker) or t.words < self.settings.min_words:
            return []
        matched = {k: self.phrases[f"offer_{k}"].find_all(t.text) for k in OFFER_KINDS}
        signature = frozenset(p for phrases in matched.values() for p in phrases)
        if signature:
            if any(signature <= earlier for earlier in self._signatures):
                return []  # the same offer again
            kind = next(k for k in OFFER_KINDS if matched[k])
        elif self.match("offer_other", t) is not None:
            # An offer by meaning alone: the same offer again if it means the same as one made.
            vector = self._vector(t)
            if any(float(vector @ v) >= self.settings.same_offer_similarity for v in self._seen):
                return []
            kind = "other"
        else:
            return []
        if self.bank is not None:
            self._seen.append(self._vector(t))
        self._signatures.append(signature)
        self.offers.append((kind, t))
        self.state.marks.setdefault("offer", []).append(t)
        finding = self.finding("offer", t, f"offer {self.count}: {kind}")
        out: list[Output] = [finding]
        if self.count == self.settings.max_offers:
            out.append(self.nudge("offers_made", t.end, t.speaker, finding))
        return out

    def verdict(self) -> Verdict:
        st = self.state
        evidence = [st.evidence(t) for _, t in self.offers]
        if not self.offers:
            return Verdict("na", "no retention offer was made")
        kinds = ", ".join(k for k, _ in self.offers)
        if self.count > self.settings.max_offers:
            return Verdict("fail", f"{self.count} distinct offers ({kinds})", evidence)
        return Verdict("pass", f"{self.count} offer(s) ({kinds})", evidence)
