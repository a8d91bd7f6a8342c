"""The content rubrics of sources 001–004: what the company says, judged by meaning.

Each reads final company utterances (and, where the rule needs it, where they fall in the call
and what came before) and matches them against the rubric file's phrases and examples.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pydantic import Field

from app.core.events import Transcript, Verdict
from app.engine.state import CallState
from app.rubrics import defensive, reasons
from app.rubrics.asks_to_stay import asks_to_stay
from app.rubrics.badmouthing import runs_down, speaks_of_someone
from app.rubrics.base import Detector, DetectorSettings, Output
from app.rubrics.pitches import pitches
from app.rubrics.promises import (
    makes_a_slogan,
    names_a_time,
    promises_to_check,
    takes_on_a_step,
)
from app.rubrics.satisfaction import checks_satisfaction
from app.rubrics.text import split_sentences


class _CompanyKinds(Detector):
    """A rubric that fails on any company utterance of its kinds (and nudges on each)."""

    nudge_kind = ""
    fail_reason = ""
    pass_reason = ""
    replies_only = False  # only what the company says once the customer has spoken counts

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.hits: list[tuple[str, Transcript]] = []

    def on_transcript(self, t: Transcript) -> list[Output]:
        if not self.state.is_company(t.speaker):
            return []
        if self.replies_only and self.state.last_customer_before(t, within_s=math.inf) is None:
            return []
        for kind in self.phrase_kinds:
            why = self.match(kind, t)
            if why is not None:
                self.hits.append((kind, t))
                finding = self.finding(kind, t, why)
                return [finding, self.nudge(self.nudge_kind, t.end, t.speaker, finding)]
        return []

    def verdict(self) -> Verdict:
        if not self.state.call.company:
            return Verdict("na", "no company speaker in the call")
        evidence = [self.state.evidence(t) for _, t in self.hits]
        if self.hits:
            kinds = ", ".join(sorted({k.replace("_", " ") for k, _ in self.hits}))
            sure = max(self.sureness(k, t) for k, t in self.hits)
            return Verdict("fail", f"{self.fail_reason} ({kinds})", evidence, sure)
        sure = self.sureness_none(self.phrase_kinds, self.company_said())
        return Verdict("pass", self.pass_reason, confidence=sure)


class NoDefensiveness(_CompanyKinds):
    """`no_defensiveness` — no defensive or angry tone, no blaming the customer, no hiding
    behind procedures (002, 003, 004)."""

    id = "no_defensiveness"
    phrase_kinds = ("blame", "procedure", "cant_help", "hostile")
    grammars = defensive.GRAMMARS
    nudge_kinds = ("acknowledge",)
    nudge_kind = "acknowledge"
    replies_only = True  # defensiveness answers something: a greeting before it can't be
    fail_reason = "a defensive reply"
    pass_reason = "no blaming, no procedures, no defensive tone"

    def match(self, kind: str, t: Transcript) -> str | None:
        # "Let me talk" said with an apology or a request for leave is a kind step-in.
        if kind == "hostile" and defensive.asks_leave(t.text):
            return None
        return super().match(kind, t)


class NoBadmouthing(_CompanyKinds):
    """`no_badmouthing` — never run down a colleague, another team or a previous rep (003)."""

    id = "no_badmouthing"
    phrase_kinds = ("badmouth",)
    grammars = {"badmouth": runs_down}
    nudge_kinds = ("no_blame",)
    nudge_kind = "no_blame"
    fail_reason = "ran down a colleague or another team"
    pass_reason = "no colleague or team run down"

    def match(self, kind: str, t: Transcript) -> str | None:
        why = super().match(kind, t)
        if why == "~meaning" and not speaks_of_someone(t.text):
            return None  # a resemblance in words that speak of no one runs no one down
        return why


class SayWeWantYou(Detector):
    """`say_we_want_you` — say plainly that you want the customer to stay (003)."""

    id = "say_we_want_you"
    phrase_kinds = ("want_you",)
    grammars = {"want_you": asks_to_stay}
    nudge_kinds = ("say_it",)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.said: Transcript | None = None

    def on_transcript(self, t: Transcript) -> list[Output]:
        if not self.state.is_company(t.speaker) or not self.match("want_you", t):
            return []
        # Asking the customer to stay is a proposal they may say yes to (the outcome reads
        # their reply as taking it).
        self.state.marks.setdefault("want_you", []).append(t)
        if self.said is None:
            self.said = t
            return [self.finding("want_you", t)]
        return []

    def verdict(self) -> Verdict:
        if not self.state.call.company:
            return Verdict("na", "no company speaker in the call")
        if self.said is not None:
            return Verdict(
                "pass",
                "said they want the customer to stay",
                [self.state.evidence(self.said)],
                self.sureness("want_you", self.said),
            )
        sure = self.sureness_none(("want_you",), self.company_said())
        return Verdict("fail", "never said they want the customer to stay", confidence=sure)


class OwnTheFollowUp(Detector):
    """`own_the_follow_up` — a promise comes with a concrete next step (who, what, when); no
    empty slogans (002, 000, 003). `na` when nothing is promised; else the call's last promise
    (the commitment the customer is left with) decides."""

    id = "own_the_follow_up"
    phrase_kinds = ("concrete", "vague", "slogan", "time_ref")
    # A promise to check, a time and a step taken on, in any words their grammars allow.
    grammars = {
        "vague": promises_to_check,
        "time_ref": names_a_time,
        "concrete": takes_on_a_step,
        "slogan": makes_a_slogan,
    }
    nudge_kinds = ("concrete",)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.promises: list[tuple[str, Transcript]] = []

    def on_transcript(self, t: Transcript) -> list[Output]:
        if not self.state.is_company(t.speaker):
            return []
        vague = self.match("vague", t) is not None
        # The time must be the check's own: "I'll cancel it now. We'll look into the courier
        # side, and someone will get back to you" names no time for the check.
        timed = vague and any(
            names_a_time(s) or self.phrases["time_ref"].find(s) is not None
            for s in split_sentences(t.text)
            if promises_to_check(s) or self.phrases["vague"].find(s) is not None
        )
        if self.match("slogan", t):
            kind = "slogan"
        elif timed or self.grammatical("concrete", t) or (self.match("concrete", t) and not vague):
            # A concrete step said with a vague one ("I'll note it, and someone will look into
            # it") leaves the check itself with no owner or time, unless a time is named.
            kind = "concrete"
        elif vague:
            kind = "vague"
        else:
            return []
        self.promises.append((kind, t))
        finding = self.finding(kind, t)
        if kind == "concrete":
            return [finding]
        return [finding, self.nudge("concrete", t.end, t.speaker, finding)]

    def verdict(self) -> Verdict:
        if not self.promises:
            sure = self.sureness_none(("concrete", "vague", "slogan"), self.company_said())
            return Verdict("na", "nothing was promised", confidence=sure)
        evidence = [self.state.evidence(t) for _, t in self.promises]

        def sure(kind: str) -> float:
            return max(self.sureness(kind, t) for k, t in self.promises if k == kind)

        # The commitment the customer is left with is the call's last promise: a vague check
        # made concrete later passes; a concrete step followed by "we'll look into it" or "we'll
        # make sure everything's taken care of" leaves them with the empty one.
        last = self.promises[-1][0]
        if last == "concrete":
            return Verdict(
                "pass", "a promise came with a concrete next step", evidence, sure("concrete")
            )
        if last == "slogan":
            return Verdict("fail", "an empty slogan as the commitment", evidence, sure("slogan"))
        return Verdict("fail", "a promise to check with no owner or time", evidence, sure("vague"))


class ClosingSettings(DetectorSettings):
    """The closing of a call: its last part, or the company's last turns."""

    last_part: float = Field(0.4, gt=0, le=1)
    last_company_turns: int = Field(4, ge=1, le=50)


def closing(state: CallState, settings: ClosingSettings) -> Callable[[Transcript], bool]:
    """Whether an utterance falls in the call's closing: in its last part, or among the
    company's last turns."""
    company = [t for t in state.transcripts if state.is_company(t.speaker)]
    end = max((t.end for t in state.transcripts), default=0.0)
    late_from = end * (1 - settings.last_part)
    last_turns = {id(t) for t in company[-settings.last_company_turns :]}
    return lambda t: t.start >= late_from or id(t) in last_turns


class SatisfactionCheck(Detector):
    """`satisfaction_check` — before closing, ask whether the customer is satisfied or needs
    anything else (003). It counts in the last part of the call."""

    id = "satisfaction_check"
    settings_model = ClosingSettings
    phrase_kinds = ("satisfaction_question",)
    grammars = {"satisfaction_question": checks_satisfaction}
    nudge_kinds = ("ask",)
    settings: ClosingSettings

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.asked: list[Transcript] = []

    def on_transcript(self, t: Transcript) -> list[Output]:
        if (
            self.state.is_company(t.speaker)
            and not self.to_colleague(t)
            and self.match("satisfaction_question", t)
        ):
            self.asked.append(t)
            return [self.finding("satisfaction_question", t)]
        return []

    def verdict(self) -> Verdict:
        st = self.state
        if not st.call.company:
            return Verdict("na", "no company speaker in the call")
        company = [t for t in st.transcripts if st.is_company(t.speaker)]
        in_closing = closing(st, self.settings)
        late = [t for t in self.asked if in_closing(t)]
        kind = "satisfaction_question"
        if late:
            return Verdict(
                "pass",
                "asked about satisfaction before closing",
                [st.evidence(t) for t in late],
                max(self.sureness(kind, t) for t in late),
            )
        sure = self.sureness_none((kind,), [t for t in company if in_closing(t)])
        if self.asked:
            return Verdict(
                "fail",
                "asked only early in the call, not before closing",
                [st.evidence(t) for t in self.asked],
                sure,
            )
        return Verdict("fail", "no satisfaction question before closing", confidence=sure)


class LeaveDoorOpen(Detector):
    """`leave_door_open` — if the customer leaves anyway, part warmly and leave the door open
    (003). `na` unless the call ends with the customer leaving. The door is left open at
    parting: in the last part of the call, and not as an offer or a plea to stay ("we'd really
    like to keep you", "take two months on us, and if you're not blown away, no hard feelings")
    said while the company still tries to keep them."""

    id = "leave_door_open"
    settings_model = ClosingSettings
    phrase_kinds = ("door_open",)
    nudge_kinds = ("door_open",)
    settings: ClosingSettings

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.warm: list[Transcript] = []

    def on_transcript(self, t: Transcript) -> list[Output]:
        if self.state.is_company(t.speaker) and self.match("door_open", t):
            self.warm.append(t)
            return [self.finding("door_open", t)]
        return []

    def verdict(self) -> Verdict:
        st = self.state
        if st.outcome != "churned":
            return Verdict(
                "na",
                f"the customer did not leave (outcome {st.outcome or 'unknown'})",
                confidence=st.outcome_confidence,
            )
        in_closing = closing(st, self.settings)
        keeping = {id(t) for m in ("offer", "want_you") for t in st.marks.get(m, [])}
        parting = [t for t in self.warm if in_closing(t) and id(t) not in keeping]
        if parting:
            sure = max(self.sureness("door_open", t) for t in parting)
            return Verdict(
                "pass",
                "parted warmly and left the door open",
                [st.evidence(t) for t in parting[-2:]],
                min(sure, st.outcome_confidence),
            )
        sure = self.sureness_none(("door_open",), self.company_said())
        return Verdict(
            "fail",
            "the customer left and the door was not left open",
            confidence=min(sure, st.outcome_confidence),
        )


class FindRealReason(Detector):
    """`find_real_reason` — reach the real reason for leaving before offering (001): an open
    question about the reason, or a restatement of it, before the first offer."""

    id = "find_real_reason"
    phrase_kinds = ("reason_question", "restatement")
    grammars = {"reason_question": reasons.asks_the_reason, "restatement": reasons.restates}
    nudge_kinds = ("ask_first",)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.reached: Transcript | None = None
        self.first_offer: Transcript | None = None

    def on_transcript(self, t: Transcript) -> list[Output]:
        st = self.state
        if not st.is_company(t.speaker):
            return []
        out: list[Output] = []
        if self.reached is None and not self.to_colleague(t) and self._reaches(t):
            self.reached = t
            out.append(self.finding("reason_reached", t))
        offers = st.marks.get("offer", [])
        if self.first_offer is None and offers:
            self.first_offer = offers[0]
            if self.reached is None or self.reached is self.first_offer:
                finding = self.finding("offer_before_reason", self.first_offer)
                out += [finding, self.nudge("ask_first", t.end, t.speaker, finding)]
        return out

    def _reaches(self, t: Transcript) -> bool:
        """Asks about the reason or restates it: by its words or grammar, or by meaning unless
        the utterance is really something else, a pitch or a procedure ("just so you know,
        we've added a monthly report", "cancelling is done in the app, not in the chat")."""
        for kind in ("reason_question", "restatement"):
            why = self.match(kind, t)
            if why is None:
                continue
            if why == "~meaning" and self._something_else(t):
                continue
            return True
        return False

    def _something_else(self, t: Transcript) -> bool:
        if pitches(t.text) or defensive.hides_behind_rules(t.text) or defensive.blames(t.text):
            return True
        return any(
            self.reads_as(t, rubric, kind)
            for rubric, kind in (
                ("no_reselling", "pitch"),
                ("no_defensiveness", "procedure"),
                ("no_defensiveness", "blame"),
            )
        )

    def verdict(self) -> Verdict:
        st = self.state
        if not st.call.company or not st.call.customers:
            return Verdict("na", "needs the customer and the company")
        reached, offer = self.reached, self.first_offer
        kinds = ("reason_question", "restatement")
        # The reason reached in the offer's own breath is not reached before it (the live
        # nudge says the same).
        if reached is not None and (offer is None or reached.start < offer.start):
            evidence = [st.evidence(reached)] + ([st.evidence(offer)] if offer else [])
            sure = max(self.sureness(k, reached) for k in kinds)
            return Verdict(
                "pass", "asked about or restated the reason before offering", evidence, sure
            )
        before = [t for t in self.company_said() if offer is None or t.start <= offer.start]
        sure = self.sureness_none(kinds, before)
        if offer is not None:
            return Verdict(
                "fail",
                "offered before asking what is behind the decision",
                [st.evidence(offer)],
                sure,
            )
        return Verdict("fail", "never asked about the reason for leaving", confidence=sure)
