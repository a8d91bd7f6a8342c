"""`listen_first` — let the customer finish; answer what they said (sources 002, 000).

Live: a take-over (a company speaker starts while the customer is mid-utterance, the customer
stops within ~1 s, and the company turn is not a backchannel) is raised from voice activity
alone, at the call time both facts are known (voice activity knows a stop only after its silence
wait, `state.lag_s`; the transcript driver waits the same, so both give the same call time); a
"not heard" signal from the customer, from its text.
Verdict: fail on `fail_takeovers` take-overs or any not-heard signal.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from app.core.events import Evidence, Finding, SpeechEnded, SpeechStarted, Transcript, Verdict
from app.engine.state import Segment
from app.rubrics.base import Detector, DetectorSettings, Output

_WORDY_BACKCHANNEL = 2.0  # a two-word backchannel lasts at most twice the plain one


class ListenFirstSettings(DetectorSettings):
    backchannel_max_s: float = Field(1.0, gt=0, le=5)
    backchannel_max_words: int = Field(2, ge=0, le=10)
    customer_stops_within_s: float = Field(1.0, gt=0, le=5)
    min_overlap_s: float = Field(0.15, ge=0, le=3)
    fail_takeovers: int = Field(2, ge=1, le=20)


@dataclass(slots=True)
class _Candidate:
    company: Segment
    customer: Segment


class ListenFirst(Detector):
    id = "listen_first"
    settings_model = ListenFirstSettings
    phrase_kinds = ("not_heard",)
    nudge_kinds = ("take_over", "not_heard")
    settings: ListenFirstSettings

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._candidates: list[_Candidate] = []
        self.takeovers: list[tuple[Segment, Segment, float]] = []  # company, customer, at
        self.not_heard: list[Transcript] = []

    def on_speech_started(self, ev: SpeechStarted) -> list[Output]:
        st = self.state
        if not st.is_company(ev.speaker):
            return []
        company = st.open.get(ev.speaker)
        for speaker, seg in st.open.items():
            if (
                company is not None
                and st.is_customer(speaker)
                and seg.start + self.settings.min_overlap_s <= ev.at
            ):
                self._candidates.append(_Candidate(company, seg))
        return self.advance(self.state.now)

    def on_speech_ended(self, ev: SpeechEnded) -> list[Output]:
        return self.advance(self.state.now)

    def advance(self, now: float) -> list[Output]:
        out: list[Output] = []
        s = self.settings
        keep: list[_Candidate] = []
        for c in self._candidates:
            deadline = c.company.start + s.customer_stops_within_s
            cust_end, comp_end = c.customer.end, c.company.end
            if cust_end is not None and cust_end > deadline:
                continue  # the customer went on talking: an overlap, not a take-over
            if cust_end is not None and cust_end < c.company.start + s.min_overlap_s:
                continue  # the customer had finished (their stop was not known yet)
            if comp_end is not None and comp_end - c.company.start < s.backchannel_max_s:
                continue  # a backchannel
            lag = self.state.lag_s
            if cust_end is None:
                if now >= deadline + lag:
                    continue  # live: the customer's stop would be known by now
                keep.append(c)
                continue
            # Known once the customer's stop is known and the company turn is known to outlast a
            # backchannel: each fact, plus the VAD's silence wait. A pure function of the
            # segments, so it is the same however often `advance` is called.
            known_at = max(cust_end, c.company.start + s.backchannel_max_s) + lag
            if comp_end is None and now < known_at:
                keep.append(c)
                continue
            self.takeovers.append((c.company, c.customer, known_at))
            finding = Finding(
                self.id,
                "take_over",
                known_at,
                c.company.speaker,
                c.company.start,
                c.company.end_or(known_at),
            )
            out += [finding, self.nudge("take_over", known_at, c.company.speaker, finding)]
        self._candidates = keep
        return out

    def on_transcript(self, t: Transcript) -> list[Output]:
        if not self.state.is_customer(t.speaker) or not self.match("not_heard", t):
            return []
        self.not_heard.append(t)
        finding = self.finding("not_heard", t)
        return [finding, self.nudge("not_heard", t.end, finding=finding)]

    def _counted(self) -> list[tuple[Segment, Transcript | None]]:
        """Take-overs whose company turn is more than a backchannel in words too ("yes, sure"
        said over a second). A long turn heard as a word or two is a recognition miss, not a
        backchannel: it still counts."""
        counted = []
        s = self.settings
        for company, _customer, at in self.takeovers:
            end = company.end_or(at)
            t = self.state.transcript_near(company.speaker, company.start, end)
            short = end - company.start < s.backchannel_max_s * _WORDY_BACKCHANNEL
            if short and t is not None and t.words <= s.backchannel_max_words:
                continue
            counted.append((company, t))
        return counted

    @property
    def takeover_count(self) -> int:
        return len(self._counted())

    def verdict(self) -> Verdict:
        st = self.state
        if st.call.mono or not st.call.customers or not st.call.company:
            return Verdict("na", "needs the customer and the company on separate channels")
        counted = self._counted()
        evidence: list[Evidence] = [st.evidence(t) for t in self.not_heard]
        for company, t in counted:
            if t is not None:
                evidence.append(st.evidence(t))
            else:
                evidence.append(
                    Evidence(
                        company.speaker,
                        st.role(company.speaker),
                        round(company.start, 2),
                        round(company.end_or(company.start), 2),
                        "",
                    )
                )
        if self.not_heard:
            return Verdict("fail", "the customer said they were not heard", evidence)
        if len(counted) >= self.settings.fail_takeovers:
            return Verdict("fail", f"{len(counted)} take-overs of the customer", evidence)
        return Verdict("pass", f"{len(counted)} take-over(s), no not-heard signal", evidence)
