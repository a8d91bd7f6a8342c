"""`offer_limit` — at most two retention offers; a third one only hurts (001).

An offer is a company utterance putting a retention tool on the table (a discount, a credit, a
free period, a freeze, a downgrade, an upgrade at no cost). It is recognised, in either
language, by what it says and how it is put:

- by meaning: the `offer_other` head (trained on the rubric file's examples, offers put as
  statements, questions and conditionals: "would a discount help?", "מה אם אוריד לך 20%?")
  at its threshold; or, a little less sure of it, at `cue_probability` when the utterance is
  also framed as a proposal (a conditional, a question to the customer, "I can", "there's a …
  plan", a price "instead of" another: the `_PROPOSAL` cues below);
- by its words: a tool named (the `offer_*` phrase lists) said as a proposal, or a framing
  phrase ("what I can do is", "אני יכולה להציע").

Once the company has said the cancellation is carried out, nothing it says is a retention offer
(a refund settles the account; "come back any time, we'll set you up the same day" leaves the
door open). The same offer repeated counts once: an utterance whose tools and figures were
all in one earlier offer, or that means the same as one (embedding similarity of the two
utterances), is that offer again; a new figure for a tool already offered is a raised offer,
a new one. A company reply describing a plan because the customer asked about it ("what would
the cheaper plan include?") is an answer, not a new offer, unless it is framed as one ("I can
offer …").
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from app.core.events import Transcript, Verdict
from app.engine.withdraws import cancellation_done
from app.rubrics.base import Detector, DetectorSettings, Output
from app.rubrics.no_reselling import asks
from app.rubrics.offers import proposes
from app.rubrics.reasons import restates

# Figures in an offer (amounts, months, percentages), as digits or as words.
_NUMBER = re.compile(
    r"\d+|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|half|third|quarter)\b"
    r"|(?:שניים|שתיים|שלושה|שלוש|ארבעה|ארבע|חמישה|חמש|עשרה|עשר|עשרים|שלושים|ארבעים|חמישים|שישים|"
    r"שבעים|שמונים|תשעים|מאה|מאתיים|"
    r"חצי|שליש|רבע|חודשיים)\b",
    re.IGNORECASE,
)

# A quarter of the year is a period, not a figure: "for the rest of the quarter".
_PERIOD = re.compile(r"\b(?:the|this|next|last|each|every|per)\s+quarter\b", re.IGNORECASE)

# How a proposal is put, whatever it proposes: a conditional or a question to the customer, an
# ability or an intention of the speaker's ("I can", "we could", "I'll give"), an option laid
# out ("there's a …", "one option is", "we also do"), a price set against another ("instead
# of", "down to"). Cheap context for the head's middling readings, never enough alone.
_PROPOSAL = re.compile(
    r"\b(?:if (?:you|we|i)|if (?:it|that) (?:helps|would help)|what if|how about|what about"
    r"|would (?:you|it|that|a|an)|could (?:i|we)"
    r"|i can|we can|i could|we could|i'?d like to (?:offer|give)|i'?ll (?:give|add|put|take|throw"
    r"|waive|credit|move|drop|lock|extend|knock)"
    r"|we'?ll (?:cover|give|add|waive|take|throw|credit|pay|put|move|drop|lock|extend|knock)"
    r"|for you,? we|let me (?:give|offer|add|put|take|knock|drop|see what)"
    r"|here'?s what|one option|another option|the other option|there'?s (?:a|an|also)"
    r"|we (?:also )?(?:do|have|give|offer) (?:a|an|two|three|free)|you'?d (?:get|pay|have|save)"
    r"|instead of|down to|comes? down|you'?ll (?:get|have|pay)"
    r"|did you know (?:that )?you can|you can always|you could always"
    # what is given said as given: "your next three boxes are on us" (not owning a fault:
    # "that's on us", "it is on us")
    r"|(?<!that )(?<!it )(?<!this )(?:are|is|be) on (?:us|the house))\b"
    r"|(?:^|\s)(?:ו?אם|ו?מה אם|ו?מה עם|מה דעתך|מה תגיד|מה תגידי|ש?אפשר|אולי|אני יכול|אני יכולה"
    r"|אנחנו יכולים"
    r"|נוכל|אוכל|אתן|ניתן|נותן|נותנת|נותנים|נוסיף|אוסיף|אעביר|נעביר|נוריד|אוריד|יש לנו|יש לי|יש גם"
    r"|יהיה לכם|יהיה לך|תקבל|תקבלי|תקבלו|במקום|בוא נעשה|בואי נעשה|אציע|מציע|מציעה|מציעים"
    r"|תשלם|תשלמי|תשלמו|יורד|יורדת"
    # "would it help / suit you": Hebrew puts the English "would" in the verb's future
    r"|יעזור|תעזור|יעזרו|יתאים|תתאים|יתאימו)(?=[\s?,.!]|$)"
    r"|(?:הבא|הבאה|הבאים|הבאות|הקרוב|הקרובים|הקרובה)\s+עלינו(?=[\s?,.!]|$)",
    re.IGNORECASE,
)

OFFER_KINDS = ("discount", "credit", "free_period", "freeze", "downgrade", "upgrade", "other")
TOOL_KINDS = OFFER_KINDS[:-1]


class OfferLimitSettings(DetectorSettings):
    max_offers: int = Field(2, ge=1, le=20)
    min_words: int = Field(4, ge=1, le=50)
    same_offer_similarity: float = Field(0.93, ge=0, le=1)
    # The offer head's probability that counts when the utterance is put as a proposal.
    cue_probability: float = Field(0.5, ge=0, le=1)
    # A reply within this many seconds of the customer asking about a plan is an answer.
    asked_within_s: float = Field(30.0, ge=0, le=600)


class OfferLimit(Detector):
    id = "offer_limit"
    settings_model = OfferLimitSettings
    phrase_kinds = (*(f"offer_{k}" for k in OFFER_KINDS), "customer_asks")
    nudge_kinds = ("offers_made",)
    settings: OfferLimitSettings

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.offers: list[tuple[str, Transcript]] = []
        self._signatures: list[tuple[frozenset[str], frozenset[str]]] = []
        self._seen: list[Any] = []  # embeddings of the offers made
        self._asked: list[Transcript] = []  # the customer asking what a plan includes
        self._carried_out = False  # the company has said the cancellation is done

    def _vector(self, t: Transcript) -> Any:
        assert self.bank is not None
        return self.state.vector(t, self.bank.embedder)

    @property
    def count(self) -> int:
        return len(self.offers)

    def _probability(self, t: Transcript) -> float:
        bank = self.bank
        if bank is None or not bank.has(self.id, "offer_other"):
            return 0.0
        return bank.probability(self.id, "offer_other", self.state.similarities(t, bank))

    def _same_as_earlier(
        self, signature: frozenset[str], numbers: frozenset[str], t: Transcript
    ) -> bool:
        """The offer was made already: its tools and figures were all in one earlier offer, or
        it means the same as one (a repeat in other words). A new figure ("forty off" after
        "twenty off") is a new offer."""
        if self._signatures and numbers and "?" not in t.text:
            # Carrying out what was offered ("I'll put the three months without the fee on
            # your account tonight") names no tool or figure the offers before it didn't.
            all_sigs = frozenset().union(*(sig for sig, _ in self._signatures))
            all_nums = frozenset().union(*(nums for _, nums in self._signatures))
            if signature <= all_sigs and numbers <= all_nums:
                return True
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

    def _asks(self, t: Transcript) -> bool:
        """The customer asks what a plan includes or what the options are: this file's phrases,
        or by meaning no_reselling's `customer_asks` examples (one reading of the utterance)."""
        if self.phrases["customer_asks"].find(t.text):
            return True
        bank = self.bank
        key = ("no_reselling", "customer_asks")
        return bool(bank and bank.has(*key) and bank.fires(*key, self.state.similarities(t, bank)))

    def _answers_a_question(self, t: Transcript) -> bool:
        """Said in reply to the customer asking what a plan includes or what options there are."""
        asked = self.state.last_customer_before(t, self.settings.asked_within_s)
        return asked is not None and any(a is asked for a in self._asked)

    def on_transcript(self, t: Transcript) -> list[Output]:
        st = self.state
        if st.is_customer(t.speaker):
            # Asking what a plan includes, or, once an offer is on the table, asking anything
            # about it ("So, the fee thing. What did you say, three months?", "And the two boxes
            # I can't use?"): the company's reply is an answer.
            if t.words >= 2 and asks(t.text) and (self._asks(t) or (self.offers and "?" in t.text)):
                self._asked.append(t)
            return []
        if not st.is_company(t.speaker):
            return []
        # Once the cancellation is carried out, what the company gives ("I've sent the last
        # two months back to your card") settles the account, and an invitation back leaves
        # the door open: neither is a retention offer.
        self._carried_out = self._carried_out or cancellation_done(t.text) is not None
        if self._carried_out or t.words < self.settings.min_words:
            return []
        answering = self._answers_a_question(t)
        if answering and self.offers:
            # The company describing an offered plan the customer asked about: a yes to it
            # takes the plan (the outcome reads it).
            st.marks.setdefault("offer_answer", []).append(t)
        matched = {k: self.phrases[f"offer_{k}"].find_all(t.text) for k in OFFER_KINDS}
        # What is offered (the tools named), not how it is put ("what if", "I can offer").
        signature = frozenset(p for k in TOOL_KINDS for p in matched[k])
        numbers = frozenset(n.lower() for n in _NUMBER.findall(_PERIOD.sub(" ", t.text)))
        # framed as an offer: its words ("what I can do is"), or its grammar (a proposal of an
        # arrangement and what the customer gains by it: "how about fortnightly? you'd pay half")
        framed = bool(matched["other"]) or proposes(t.text) is not None
        proposal = framed or _PROPOSAL.search(t.text) is not None
        p = self._probability(t)
        examples = self.spec.examples.get("offer_other")
        threshold = examples.threshold if examples is not None else 1.0
        by_meaning = p >= threshold or (proposal and p >= self.settings.cue_probability)
        if not (by_meaning or framed or (signature and proposal)):
            return []
        if not (signature or framed) and (
            self.reads_as(t, "no_reselling", "pitch")
            or self.reads_as(t, "satisfaction_check", "satisfaction_question")
            or restates(t.text)
            or self.reads_as(t, "find_real_reason", "restatement")
        ):
            # Selling the product ("for that you're getting …"), asking whether anything is
            # missing before closing, or restating what the customer said ("so you're paying
            # for four washes and using half") offers nothing.
            return []
        if answering and not framed and p < threshold:
            return []  # describing what the customer asked about is not offering it
        kind = next((k for k in TOOL_KINDS if matched[k]), "other")
        if self._same_as_earlier(signature, numbers, t):
            return []  # the same offer again
        self._seen.append(self._vector(t) if self.bank is not None else None)
        self._signatures.append((signature, numbers))
        self.offers.append((kind, t))
        st.marks.setdefault("offer", []).append(t)
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
