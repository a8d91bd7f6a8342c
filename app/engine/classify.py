"""Call classifications on every scorecard: outcome, churn reason and churn stage (001, 003).

Read mostly from the customer's own words, by phrases and by meaning (examples per class in
`rubrics/classifications.yaml`, which a team lead can extend):
- outcome: the decisions said in the final part of the call (by the customer, or the company
  confirming it: "I've applied the discount"; the company carrying the cancellation out counts
  wherever in the call: "I've cancelled it"), each voting by how sure its reading is, plus half
  a vote for leaving when the company parts leaving the door open ("you're always welcome
  back"), and half a vote for leaving when the customer is settled with another provider
  anywhere in the call ("we're really happy with Dana"); a yes in reply to an offer or to
  being asked to stay votes saved; a decision said only on a condition is still open
  (undecided), unless it answers an offer just made; ties go to the later; none → undecided;
- churn_reason: the reason the customer gives most (ties: the first given), each told by
  phrases, by meaning, and by the shape of what went wrong (`app/engine/churn_reasons.py`:
  "nobody came and nobody rang", "the battery keeps dying", "we got acquired"); not using it
  also told by how rarely ("he's hardly been since January"); a reason the customer denies
  anywhere ("it's not about the money") or waves aside as they tell it ("she's a bit cheaper,
  but that's not the point") is not theirs; none → unknown;
- churn_stage (source 003): the furthest stage the customer's words show, among refrozen,
  switching, anti, thawing (the alternative provider also told by its grammar,
  `app/engine/alternatives.py`: "I've had another system since March, I'm happy with it",
  "we started trialling another tool"); short of an alternative provider, a grievance (price,
  service, product) with the customer leaving is anti, undecided thawing; a customer won back in
  the call is thawing unless they already had an alternative in view ("SafeLane quoted me"):
  anti; one leaving without a word of why is anti; none → content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.events import Transcript
from app.engine.alternatives import looking_elsewhere, moving_elsewhere, settled_elsewhere
from app.engine.churn_reasons import denied_reasons, dismissed_parts, life_event, reasons_said
from app.engine.state import CallState
from app.engine.withdraws import QUESTION_TAG, cancellation_done, withdraws_cancellation
from app.rubrics.base import PHRASE_SURENESS
from app.rubrics.config import ExampleSet, PhraseLists, load_yaml_model
from app.rubrics.text import PhraseMatcher, split_at_stops, split_sentences

OUTCOMES = ("saved", "churned", "undecided")
CHURN_OUTCOMES = ("saved", "churned")
# The company leaving the door open (leave_door_open's examples) is a vote that the customer
# leaves, at this weight against the customer's own words.
DOOR_OPEN = ("leave_door_open", "door_open")
DOOR_OPEN_VOTE = 0.5
# The customer settled with another provider (refrozen's grammar) is a vote that they leave, at
# this weight.
SETTLED_VOTE = 0.5
# How sure a reading of leaving must be to undo a yes said to an offer (a phrase is 0.9).
VETO_SURENESS = 0.5
CHURN_STAGES = ("content", "thawing", "anti", "switching", "refrozen")
# A later signal outweighs an earlier one: its vote grows by up to this share from the start of
# the final part to the end of the call (the customer's last decisive words count most).
RECENCY = 1.0
_REASONS = ("price", "service", "product", "non_usage", "other")
# The classifications whose signals are also read sentence by sentence in a longer utterance.
SENTENCE_GROUPS = frozenset({"outcome"})
# A churn reason read by meaning alone counts this much against one said in words.
MEANING_VOTE = 0.6
_STAGES = ("refrozen", "switching", "anti", "thawing")
# The alternative provider told by its grammar ("I've had another system since March").
_ALTERNATIVE = {"refrozen": settled_elsewhere, "switching": moving_elsewhere}
# The churn reasons that are a grievance against the company (not a circumstance of the
# customer's own).
GRIEVANCES = frozenset({"price", "service", "product"})
# Words of emphasis or hedging inside a yes ("that would actually help", "זה באמת יעזור"),
# left out when the reply is matched against the accept phrases.
_FILLERS = re.compile(
    r"\b(?:actually|really|honestly|definitely|probably|certainly|totally|absolutely|just|"
    r"truly|quite|kind of|sort of)\b"
    r"|(?:^|(?<=\s))(?:באמת|ממש|דווקא|בעצם|לגמרי|בהחלט|כנראה)(?=[\s,.!?]|$)",
    re.IGNORECASE,
)
# A condition on a decision ("if it's the same price, I'm staying"); a concession ("even if")
# leaves the decision standing.
_CONDITION = re.compile(
    r"(?<!even )\b(?:if|unless|as long as|provided that|only when)\b"
    r"|(?:^|\s)(?<!גם )(?<!אפילו )(?:ו?אם|במידה ו\S*|בתנאי ש\S*|כל עוד)(?=\s)",
    re.IGNORECASE,
)
# The customer hardly using the service, whatever the activity: "hardly" (barely, rarely, almost
# never) before a verb of going, using or doing; in Hebrew "כמעט לא" / "בקושי" before one.
_EN_ACTIVITY = (
    r"(?:been|go|goes|went|gone|come|comes|came|use|uses|used|using|drive|drives|practi[sc]es?|"
    r"watch|watches|read|reads|open|opens|log|logs|play|plays|cook|cooks|train|trains|ride|"
    r"rides|visit|visits|turn|turns|touch|touches|swim|order|orders|need|needs)"
)
_HE_ACTIVITY = (
    r"(?:נוסע|נוסעת|נוסעים|מגיע|מגיעה|מגיעים|הגעתי|הגענו|הולך|הולכת|הולכים|הלכתי|משתמש|"
    r"משתמשת|משתמשים|השתמשתי|מתאמן|מתאמנת|מתאמנים|נכנס|נכנסת|נכנסתי|רואה|רואים|קורא|"
    r"קוראת|פותח|פותחת|בא|באה|באים|יוצא|יוצאת|מבשל|מבשלת|מבשלים|רוכב|רוכבת|משחק|משחקת|מזמין|"
    r"מזמינה|מזמינים|צריך|צריכה|צריכים|נוגע|נוגעת)"
)
_RARE_USE = re.compile(
    rf"\b(?:hardly|barely|rarely|almost never|hardly ever|scarcely)\s+(?:\w+\s+)?{_EN_ACTIVITY}\b"
    rf"|(?:^|\s)(?:כמעט לא|בקושי|כמעט ולא)\s+(?:\S+\s+)?[ו]?{_HE_ACTIVITY}(?=[\s,.!?]|$)"
    # paying for more than is used: "she'll only come twice", "והיא תבוא רק פעמיים"
    r"|\b(?:only|just) (?:once|twice|one day|two days) (?:a|per|in a|every)\b"
    r"|(?:^|\s)(?:תבוא|יבוא|אבוא|מגיע|מגיעה|הגעתי|הגיע|הגיעה) רק (?:פעם אחת|פעמיים)(?=[\s,.!?]|$)"
    # paying for more than was used: "we pay for eight lessons a month and he did two", "משלמים על
    # שמונה שיעורים בחודש, והחודש הוא עשה שניים"
    r"|\bpay(?:ing)?\s+for\s+(?:\w+\s+){1,5}?(?:and|but)\s+(?:\w+\s+){0,3}?(?:used|did|came|went|had|"
    r"watched|made)\s+(?:only\s+|just\s+)?(?:one|two|three|once|twice|\d+)\b"
    r"|(?:^|\s)(?:משלם|משלמת|משלמים)\s+על\s+(?:\S+\s+){1,5}?(?:\S+\s+){0,3}?(?:עשה|עשתה|עשינו|עשו|השתמש|"
    r"השתמשה|השתמשנו|הגיע|הגיעה|הגענו|היה|הייתה|היינו)\s+(?:רק\s+)?(?:אחד|אחת|שניים|שתיים|שלושה|שלוש|"
    r"פעם|פעמיים|\d+)(?=[\s,.!?]|$)",
    re.IGNORECASE,
)
# Not leaving, for now: "בינתיים אני לא מבטל, אבל גם לא מחדש", "I'm not cancelling today" put the
# decision off (undecided); "I'm not cancelling" alone stays.
_NOT_LEAVING = re.compile(
    r"\b(?:not|won't|n't|never)\s+(?:\w+\s+)?(?:cancel\w*|leav\w*|clos\w*|go(?:ing)?\s+anywhere)\b"
    r"|(?:^|\s)לא\s+(?:\S+\s+)?(?:מבטל|מבטלת|מבטלים|עוזב|עוזבת|עוזבים|סוגר|סוגרת|סוגרים)(?=[\s,.!?]|$)",
    re.IGNORECASE,
)
_FOR_NOW = re.compile(
    r"\b(?:today|yet|for\s+now|right\s+now|at\s+the\s+moment|for\s+the\s+moment|this\s+month|"
    r"for\s+the\s+time\s+being)\b"
    r"|(?:^|\s)(?:בינתיים|לבינתיים|כרגע|היום|עדיין|לעת\s+עתה|החודש)(?=[\s,.!?]|$)",
    re.IGNORECASE,
)
# A yes said as telling the company to go ahead with it: "go on then", "do it", "get them fitted
# Thursday", "תעשי לי את זה", "נו, טוב", "תוריד את הבקשה שלי לסגירה".
_GO_AHEAD = re.compile(
    r"\b(?:go\s+on(?:\s+then)?|go\s+ahead|do\s+it|do\s+that|let's\s+(?:try|go\s+with)|"
    r"(?:get|have)\s+(?:them|it|that|him|her)\s+\w+ed|set\s+it\s+up|book\s+(?:it|me|that)\s+in|"
    r"put\s+(?:it|me|that)\s+(?:on|through|down)|make\s+the\s+(?:change|switch)|"
    r"i'll\s+give\s+it\s+(?:a|another|one\s+more)\s+(?:go|try|shot)|i'll\s+take\s+you\s+up|"
    r"let's\s+(?:do|have)\s+(?:it|that|this)|let's\s+(?:carry|keep)\s+(?:on|going))\b"
    r"|(?:^|\s)(?:בוא|בואי|בואו)\s+(?:נעשה\s+את\s+זה|נמשיך|ננסה(?:\s+את\s+זה)?)(?=[\s,.!?]|$)"
    r"|(?:^|\s)(?:תעשי|תעשה|תעשו)\s+(?:לי\s+|לנו\s+)?(?:את\s+)?זה(?=[\s,.!?]|$)"
    r"|(?:^|\s)נו\s*,?\s*טוב(?=[\s,.!?]|$)"
    r"|(?:^|\s)(?:תוריד|תורידי|תורידו|תבטל|תבטלי)\s+(?:את\s+)?(?:הבקשה|הביטול)"
    r"|(?:^|\s)(?:תרשום|תרשמי|תכניס|תכניסי|תשים|תשימי|תעביר|תעבירי)\s+אותי(?=[\s,.!?]|$)"
    r"|(?:^|\s)(?:הולך|הולכת|הולכים)\s+על\s+זה(?=[\s,.!?]|$)",
    re.IGNORECASE,
)


def _for_now(text: str) -> bool:
    """A sentence says the customer is not leaving, for now ("I'm not cancelling today")."""
    return any(_NOT_LEAVING.search(s) and _FOR_NOW.search(s) for s in split_sentences(text))


def _asks_back(text: str) -> bool:
    """The reply only asks: every sentence of it is a question or says what the customer didn't
    know ("every two weeks? I didn't know you had that")."""
    return "?" in text and all(
        s.endswith("?") or _DIDNT_KNOW.search(s) for s in split_at_stops(text.strip()) if s
    )


# "I didn't know you did that", "לא ידעתי שיש אצלכם": news to the customer, not an answer yet.
_DIDNT_KNOW = re.compile(
    r"\b(?:i\s+)?(?:didn't|did\s+not|never)\s+know\b|\bi\s+had\s+no\s+idea\b"
    r"|(?:^|\s)(?:לא\s+ידעתי|לא\s+היה\s+לי\s+מושג)(?=\s|$)",
    re.IGNORECASE,
)
# A reply that says no doesn't take the offer, whatever else it says.
_NEGATION = re.compile(
    r"\b(?:no|not|nope|never|nothing|cannot)\b|n't\b|(?:^|[\s,.])(?:לא|אין|ממש לא)(?=[\s,.!?]|$)",
    re.IGNORECASE,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClassSignals(_Strict):
    phrases: PhraseLists = Field(default_factory=PhraseLists)
    examples: ExampleSet = Field(default_factory=ExampleSet)


class OutcomeSignals(_Strict):
    final_part: float = Field(0.4, gt=0, le=1)
    saved: ClassSignals
    churned: ClassSignals
    # The customer putting the decision off ("I'll think about it", "I'll talk it over and get
    # back to you"): a vote for undecided.
    undecided: ClassSignals = Field(default_factory=ClassSignals)
    # The customer taking an offer: a short yes in reply to one ("okay, let's do that").
    accept: ClassSignals = Field(default_factory=ClassSignals)
    accept_within_s: float = Field(20.0, gt=0, le=300)


class ReasonSignals(_Strict):
    product: ClassSignals
    service: ClassSignals
    price: ClassSignals
    non_usage: ClassSignals
    # A circumstance of the customer's own that ends the service for them (a move far away).
    other: ClassSignals = Field(default_factory=ClassSignals)


class StageSignals(_Strict):
    refrozen: ClassSignals
    switching: ClassSignals
    anti: ClassSignals
    thawing: ClassSignals


class ClassificationFile(_Strict):
    outcome: OutcomeSignals
    churn_reason: ReasonSignals
    churn_stage: StageSignals

    def example_sets(self) -> dict[tuple[str, str], ExampleSet]:
        """Every class's examples, keyed ("classify:<group>", class), for the signal bank."""
        out: dict[tuple[str, str], ExampleSet] = {}
        for group in ("outcome", "churn_reason", "churn_stage"):
            signals = getattr(self, group)
            for name in type(signals).model_fields:
                value = getattr(signals, name)
                if isinstance(value, ClassSignals) and (value.examples.en or value.examples.he):
                    out[(f"classify:{group}", name)] = value.examples
        return out


def load_classifications(path: Path) -> ClassificationFile:
    return load_yaml_model(path, ClassificationFile)


@dataclass(slots=True)
class Classification:
    outcome: str
    churn_reason: str
    churn_stage: str
    # How sure the outcome is, 0..1: the deciding utterance's reading (a phrase: 0.9), or for
    # `undecided` the closest of the final part's utterances to a decision.
    outcome_confidence: float = 1.0


class Classifier:
    def __init__(self, spec: ClassificationFile, language: str, bank=None) -> None:  # type: ignore[no-untyped-def]
        self.spec = spec
        self.language = language
        self.bank = bank
        self.final_part = spec.outcome.final_part
        self._phrases: dict[tuple[str, str], PhraseMatcher] = {}
        for group in ("outcome", "churn_reason", "churn_stage"):
            signals = getattr(spec, group)
            for name in type(signals).model_fields:
                value = getattr(signals, name)
                if isinstance(value, ClassSignals):
                    self._phrases[(group, name)] = PhraseMatcher(value.phrases.get(language))
        self.accept_within_s = spec.outcome.accept_within_s

    def _has(self, state: CallState, group: str, name: str, t: Transcript) -> bool:
        if self._phrases[(group, name)].find(t.text):
            return True
        return self._reading(state, group, name, t) is not None

    def _reading(self, state: CallState, group: str, name: str, t: Transcript) -> Any | None:
        """The reading of the utterance that shows the class by meaning: the whole utterance's,
        else, for the customer, the first of its sentences' that does (SENTENCE_GROUPS); None if
        none."""
        bank = self.bank
        key = f"classify:{group}"
        if bank is None or not bank.has(key, name) or not t.text.strip():
            return None
        whole = state.similarities(t, bank)
        if bank.fires(key, name, whole):
            return whole
        # The customer's own sentences: the company's proposals and their conditions ("if it
        # would help, I could come out") read as decisions one sentence at a time.
        if group in SENTENCE_GROUPS and state.is_customer(t.speaker):
            for reading in state.sentence_readings(t, bank):
                if bank.fires(key, name, reading):
                    return reading
        return None

    def _asserted(self, state: CallState, group: str, name: str, t: Transcript) -> bool:
        """`_has`, but a phrase counts only when it is not negated; an utterance that says the
        phrase only negated is not read by meaning either."""
        matcher = self._phrases[(group, name)]
        if matcher.find_asserted(t.text):
            return True
        if matcher.find(t.text):
            return False
        return self._has(state, group, name, t)

    def _sure(self, state: CallState, group: str, name: str, t: Transcript) -> float:
        if self._phrases[(group, name)].find(t.text):
            return PHRASE_SURENESS
        bank = self.bank
        key = f"classify:{group}"
        if bank is None or not bank.has(key, name) or not t.text.strip():
            return PHRASE_SURENESS
        reading = self._reading(state, group, name, t) or state.similarities(t, bank)
        return float(bank.confidence(key, name, reading))

    def classify(self, state: CallState) -> Classification:
        customer = [t for t in state.transcripts if state.is_customer(t.speaker)]
        if not customer:
            return Classification("undecided", "unknown", "content")
        outcome, sure = self._outcome(state)
        reason = self._reason(state, customer)
        return Classification(outcome, reason, self._stage(state, customer, reason, outcome), sure)

    def _outcome(self, state: CallState) -> tuple[str, float]:
        said = state.transcripts
        end, start = said[-1].end, said[0].start
        tail_from = end - (end - start) * self.final_part
        tail = [t for t in said if t.end >= tail_from]
        offers = {id(t) for t in state.marks.get("offer", [])}
        anchors = self._anchors(state)

        def answers(t: Transcript) -> bool:  # said within `accept_within_s` of a proposal
            return any(0 <= t.start - a.end <= self.accept_within_s for a in anchors)

        def weight(t: Transcript) -> float:
            return 1.0 + RECENCY * max(0.0, t.end - tail_from) / max(end - tail_from, 1e-9)

        # Every signal of a decision in the final part votes by how sure its reading is and how
        # late it came: one faint reading can't outvote a clear one, and of two as clear the
        # later one wins. An offer is not a decision, whatever it sounds like.
        votes = {label: 0.0 for label in OUTCOMES}
        last: dict[str, float] = {}

        def vote(label: str, sure: float, t: Transcript) -> None:  # a signal in the final part
            votes[label] += sure * weight(t)
            last[label] = t.end

        for t in tail:
            if id(t) in offers:
                continue
            for label in OUTCOMES:
                if label == "undecided" and not state.is_customer(t.speaker):
                    continue  # only the customer puts their own decision off
                # A decision said negated is none: "I don't need to think about it", "I'm not
                # saying I'm leaving"; "No, just cancel it" says no to something else.
                if self._asserted(state, "outcome", label, t):
                    voted = label
                    if label != "undecided" and not answers(t) and self._only_if(label, t):
                        # "If it comes out about the same, I'm staying": a decision on a
                        # condition is the decision still open; said soon after an offer ("if
                        # Sveta comes back, we're staying") it takes the offer.
                        if not state.is_customer(t.speaker):
                            continue
                        voted = "undecided"
                    if voted == "saved" and state.is_customer(t.speaker) and _for_now(t.text):
                        voted = "undecided"  # "I'm not cancelling today": put off
                    vote(voted, self._sure(state, "outcome", label, t), t)
            if state.is_customer(t.speaker) and withdraws_cancellation(t.text):
                # "Take the cancellation off", "תוריד את הבקשה שלי לסגירה": a decision to stay,
                # an answer to an offer or not, however long after one.
                vote("saved", PHRASE_SURENESS, t)
            if state.is_company(t.speaker) and self._door_open(state, t):
                # "You're always welcome back" is said to a customer who is leaving.
                vote("churned", DOOR_OPEN_VOTE * self._door_sure(state, t), t)
        # The company carrying the departure out, wherever in the call ("Your membership is now
        # cancelled", "הביטול נקלט"): as sure as a phrase, by how late if in the final part.
        for t in said:
            if state.is_company(t.speaker) and cancellation_done(t.text):
                votes["churned"] += PHRASE_SURENESS * (weight(t) if t.end >= tail_from else 1.0)
                last["churned"] = max(last.get("churned", -1.0), t.end)
        # The customer settled with another provider, wherever in the call ("we're really happy
        # with Dana"): half a vote that they leave (or stay gone), as the door left open is.
        settled = [t for t in said if state.is_customer(t.speaker) and settled_elsewhere(t.text)]
        if settled:
            t = settled[-1]
            votes["churned"] += SETTLED_VOTE * (weight(t) if t.end >= tail_from else 1.0)
            last["churned"] = max(last.get("churned", -1.0), t.end)
        # The customer taking an offer, wherever in the call: a vote to stay, as sure as a phrase,
        # unless the reply itself reads as leaving. A later decision outvotes it.
        for t in self._acceptances(state):
            votes["saved"] += PHRASE_SURENESS * weight(t) if t.end >= tail_from else PHRASE_SURENESS
            last["saved"] = max(last.get("saved", -1.0), t.end)
        if not last:
            sure = min(
                (self._sure(state, "outcome", label, t) for t in tail for label in CHURN_OUTCOMES),
                default=1.0,
            )
            return "undecided", sure
        outcome = max(votes, key=lambda k: (votes[k], last.get(k, -1.0)))
        other = max(v for k, v in votes.items() if k != outcome)
        return outcome, min(1.0, votes[outcome]) * (1.0 - other / max(votes[outcome], 1e-9) / 2)

    @staticmethod
    def _anchors(state: CallState) -> list[Transcript]:
        """What the customer may say yes to, in call order: an offer, the company's answer
        describing an offered plan the customer asked about (offer_limit marks both), or the
        company asking them to stay (say_we_want_you marks it)."""
        marked = [t for m in ("offer", "offer_answer", "want_you") for t in state.marks.get(m, [])]
        return sorted(marked, key=lambda t: t.start)

    def _acceptances(self, state: CallState) -> list[Transcript]:
        """The customer's replies that take an offer: the customer's first utterance after a
        proposal (`_anchors`, within `accept_within_s`) that says yes to it and doesn't read as
        leaving. A reply that only asks about it ("every two weeks? I didn't know you did
        that") hands the answer on: the customer's next utterance after the company's answer
        is the reply then (once)."""
        out: list[Transcript] = []
        accept = self._phrases[("outcome", "accept")]
        if not accept:
            return out
        for offer in self._anchors(state):
            reply = self._reply(state, offer)
            if (
                reply is not None
                and _asks_back(reply.text)
                and not self._says_yes(accept, reply.text)
            ):
                answer = next(
                    (
                        t
                        for t in state.transcripts
                        if t.start > reply.start and not state.is_customer(t.speaker)
                    ),
                    None,
                )
                reply = self._reply(state, answer) if answer is not None else None
            if reply is None or reply in out:
                continue
            # The reply is the customer's whole turn: "That's fair, I didn't know you did that."
            # then "Okay, let's do it." before the company speaks again.
            for said in self._turn(state, reply, offer.end + self.accept_within_s):
                if any(self._vetoes(state, label, said) for label in ("churned", "undecided")):
                    break
                if self._says_yes(accept, said.text):
                    if said not in out:
                        out.append(said)
                    break
        return out

    @staticmethod
    def _turn(state: CallState, first: Transcript, until: float) -> list[Transcript]:
        """The customer's utterances from `first` on until the company speaks again (starting
        before `until`)."""
        turn = [first]
        for t in sorted(state.transcripts, key=lambda t: t.start):
            if t.start <= first.start or t is first:
                continue
            if not state.is_customer(t.speaker) or t.start > until:
                break
            turn.append(t)
        return turn

    def _vetoes(self, state: CallState, label: str, reply: Transcript) -> bool:
        """The yes reads as leaving or putting it off too, clearly enough to outweigh it: by a
        phrase, or by meaning at least `VETO_SURENESS` sure ("I'll ring the other lot and tell
        them thanks but no thanks" only faintly resembles leaving)."""
        if not self._has(state, "outcome", label, reply):
            return False
        return self._sure(state, "outcome", label, reply) >= VETO_SURENESS

    def _reply(self, state: CallState, said: Transcript) -> Transcript | None:
        """The customer's first utterance after `said`, within `accept_within_s` of its end."""
        return next(
            (
                t
                for t in state.transcripts
                if state.is_customer(t.speaker)
                and t.start >= said.start
                and t.end > said.end
                and t.start - said.end <= self.accept_within_s
            ),
            None,
        )

    def _only_if(self, label: str, t: Transcript) -> bool:
        """The decision's words are said only on a condition: every sentence that says them
        opens a condition ("if", "as long as", "אם", "בתנאי ש"; not "even if", "גם אם")."""
        matcher = self._phrases[("outcome", label)]
        said = [s for s in split_sentences(t.text) if matcher.find_asserted(s)]
        return bool(said) and all(_CONDITION.search(s) for s in said)

    @staticmethod
    def _says_yes(accept: PhraseMatcher, text: str) -> bool:
        """A sentence of the reply says yes (an accept phrase, words of emphasis aside: "that
        would actually help"; or telling the company to go ahead: "go on then") and isn't
        negated ("that would help, but no"); the reply's other sentences may say no to
        something else ("he doesn't like things on his wrist")."""
        for sentence in split_sentences(text):
            if _NEGATION.search(sentence):
                continue
            if accept.find(sentence) or accept.find(_FILLERS.sub(" ", sentence)):
                return True
            if _GO_AHEAD.search(sentence):
                return True
        return False

    def _door_open(self, state: CallState, t: Transcript) -> bool:
        bank = self.bank
        if bank is None or not bank.has(*DOOR_OPEN) or not t.text.strip():
            return False
        return bool(bank.fires(*DOOR_OPEN, state.similarities(t, bank)))

    def _door_sure(self, state: CallState, t: Transcript) -> float:
        assert self.bank is not None
        return float(self.bank.confidence(*DOOR_OPEN, state.similarities(t, self.bank)))

    def _reason(self, state: CallState, customer: list[Transcript]) -> str:
        """The reason the customer gives most (ties: the first given). A reason said in words
        counts more than one read by resemblance; a reason said negated ("it's not the price")
        is not given."""
        counts: dict[str, float] = {}
        first: dict[str, float] = {}
        # A reason the customer denies anywhere ("it's not about the money") is not theirs.
        denied = set().union(*(denied_reasons(t.text) for t in customer))
        for t in customer:
            # What a dismissal waves aside ("she's cheaper, but that's not the point") is not
            # the reason either.
            waved = self._told_in(dismissed_parts(t.text))
            # A reason's words in a question ask about it, they don't give it.
            stated = " ".join(
                s
                for s in split_sentences(t.text)
                if not QUESTION_TAG.sub("", s).rstrip().endswith("?")
            )
            if _RARE_USE.search(t.text):
                # "He's hardly been since January", "האוטו עומד, אני כמעט לא נוסע": not using it,
                # said in so many words.
                counts["non_usage"] = counts.get("non_usage", 0.0) + 1.0
                first.setdefault("non_usage", t.start)
            # What went wrong told in its own shape ("nobody came and nobody rang"), as sure as a
            # phrase.
            told = reasons_said(t.text, self.language)
            for label in _REASONS:
                if label in denied or label in waved:
                    continue
                phrases = self._phrases[("churn_reason", label)]
                if label in told:
                    vote = 1.0
                elif label == "other" and life_event(t.text):
                    # A change in the customer's life ("the new baby") often only explains
                    # another reason (no time to use it): it counts as much as a resemblance.
                    vote = MEANING_VOTE
                elif phrases.find_asserted(stated):
                    vote = 1.0
                elif phrases.find(t.text):
                    continue  # said negated, or only asked about ("is there a cancellation fee?")
                elif self._reading(state, "churn_reason", label, t) is not None:
                    vote = MEANING_VOTE
                else:
                    continue
                counts[label] = counts.get(label, 0.0) + vote
                first.setdefault(label, t.start)
        if not counts:
            return "unknown"
        return max(counts, key=lambda k: (counts[k], -first[k]))

    def _told_in(self, parts: list[str]) -> set[str]:
        """The reasons these words tell, by grammar or by phrase."""
        out: set[str] = set()
        for part in parts:
            out |= set(reasons_said(part, self.language))
            out |= {r for r in _REASONS if self._phrases[("churn_reason", r)].find_asserted(part)}
        return out

    def _stage(
        self, state: CallState, customer: list[Transcript], reason: str, outcome: str
    ) -> str:
        """The furthest stage the customer's words show. Thawing and anti are negative feelings
        about the company: a customer leaving for a reason of their own (not using it, a move)
        is content unless they say such a feeling in so many words (a phrase, not a resemblance).

        Short of an alternative provider (switching, refrozen), the call itself tells thawing
        from anti (source 003): a customer with a grievance against the company (its price,
        service or product) who leaves in this call had decided to go, anti; one who has a
        grievance but stays or puts it off is thawing, where repair is still possible; one
        won back in the call was thawing whatever they said on the way ("I'm done with you")
        unless they already had an alternative in view (a quote, a sign-up under way: anti),
        and one who leaves without a word of why had decided before it, anti."""
        own_reason = reason in ("non_usage", "other")
        shown = "content"
        for label in _STAGES:
            phrases = self._phrases[("churn_stage", label)]
            grammar = _ALTERNATIVE.get(label)
            if any(
                phrases.find(t.text)
                if own_reason and label in ("anti", "thawing")
                else (grammar is not None and grammar(t.text))
                or self._has(state, "churn_stage", label, t)
                for t in customer
            ):
                shown = label
                break
        if shown in ("switching", "refrozen"):
            return shown
        if outcome == "churned" and reason == "unknown":
            # Leaving without a word of why ("just cancel it"): decided before the call, anti.
            return "anti"
        if shown == "content" and reason not in GRIEVANCES:
            return shown
        if outcome == "churned":
            return "anti"
        if outcome == "saved":
            # Won back in the call: anger and disappointment on the way ("I'm fed up with you")
            # are thawing; eyes already open to an alternative ("SafeLane quoted me eleven
            # sixty") were anti.
            return "anti" if any(looking_elsewhere(t.text) for t in customer) else "thawing"
        return "thawing" if shown == "content" else shown
