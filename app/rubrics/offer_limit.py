"""`offer_limit` — at most two retention offers; a third one only hurts (001).

An offer is a company utterance putting a retention tool on the table (a discount, a credit, a
free period, a freeze, a downgrade, an upgrade at no cost), by its phrases or by meaning (the
`offer_other` head, which takes offers put as questions: "would a discount help?"). The same
offer repeated counts once: an utterance whose tools and figures were all in one earlier offer,
or that means the same as one, is that offer again; a new figure makes a new offer.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from app.core.events import Transcript, Verdict
from app.rubrics.base import Detector, DetectorSettings, Output

# Figures in an offer (amounts, months, percentages), as digits or as words.
_NUMBER = re.compile(
    r"\d+|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|half|third|quarter)\b"
    r"|(?:שניים|שתיים|שלושה|שלוש|ארבעה|ארבע|חמישה|חמש|עשרה|עשר|עשרים|שלושים|ארבעים|חמישים|מאה|"
    r"חצי|שליש|רבע|חודשיים)\b",
    re.IGNORECASE,
)

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
        self._signatures: list[tuple[frozenset[str], frozenset[str]]] = []
        self._seen: list[Any] = []  # embeddings of the offers made

    def _vector(self, t: Transcript) -> Any:
        assert self.bank is not None
        return self.state.vector(t, self.bank.embedder)

    @property
    def count(self) -> int:
        return len(self.offers)

    def _same_as_earlier(
        self, signature: frozenset[str], numbers: frozenset[str], t: Transcript
    ) -> bool:
        """The offer was made already: its tools and figures were all in one earlier offer, or
        it means the same as one (a repeat in other words). A new figure ("forty off" after
        "twenty off") is a new offer."""
        vector = self._vector(t) if self.bank is not None else None
        for (sig, nums), seen in zip(self._signatures, self._seen, strict=True):
            if not numbers <= nums:
                continue
            if signature and signature <= sig:
                return True
            similar = vector is not None and seen is not None and float(vector @ seen)
            if similar and similar >= self.settings.same_offer_similarity:
                return True
        return False

    def on_transcript(self, t: Transcript) -> list[Output]:
        if not self.state.is_company(t.speaker) or t.words < self.settings.min_words:
            return []
        matched = {k: self.phrases[f"offer_{k}"].find_all(t.text) for k in OFFER_KINDS}
        # What is offered (the tools named), not how it is put ("what if", "I can offer").
        signature = frozenset(p for k in OFFER_KINDS if k != "other" for p in matched[k])
        numbers = frozenset(n.lower() for n in _NUMBER.findall(t.text))
        if signature:
            kind = next(k for k in OFFER_KINDS if matched[k])
        elif matched["other"] or self.match("offer_other", t) is not None:
            # Framed as an offer, or an offer by meaning alone (a question included).
            kind = "other"
        else:
            return []
        if self._same_as_earlier(signature, numbers, t):
            return []  # the same offer again
        self._seen.append(self._vector(t) if self.bank is not None else None)
        self._signatures.append((signature, numbers))
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
