"""`kind_rant_interrupt` — after ~2 minutes of venting, step in kindly, with a summary (000).

A rant is the customer holding the floor: customer speech with no company turn longer than a
backchannel, and pauses under `max_pause_s`. It is tracked from voice activity alone, so the
nudge at 120 s of a rant (and the reminder at 180 s) goes out at that call time, without
waiting for any transcript. The step-in's words decide the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, model_validator

from app.core.events import Finding, SpeechEnded, SpeechStarted, Transcript, Verdict
from app.engine.state import Segment
from app.rubrics.base import Detector, DetectorSettings, Output


class RantSettings(DetectorSettings):
    nudge_after_s: float = Field(120.0, gt=0, le=3600)
    remind_after_s: float = Field(180.0, gt=0, le=3600)
    fail_after_s: float = Field(180.0, gt=0, le=3600)
    max_pause_s: float = Field(3.0, gt=0, le=30)
    backchannel_max_s: float = Field(1.0, gt=0, le=5)
    step_in_window_s: float = Field(20.0, gt=0, le=120)

    @model_validator(mode="after")
    def _order(self) -> RantSettings:
        if self.remind_after_s <= self.nudge_after_s:
            raise ValueError("remind_after_s must be later than nudge_after_s")
        return self


@dataclass(slots=True)
class Rant:
    start: float
    end: float
    ended_by: str  # "step_in", "silence" or "call_end"
    step_in: Segment | None = None

    @property
    def duration(self) -> float:
        return self.end - self.start


class KindRantInterrupt(Detector):
    id = "kind_rant_interrupt"
    settings_model = RantSettings
    phrase_kinds = ("harsh", "harsh_unless_kind", "acknowledge")
    nudge_kinds = ("rant", "rant_reminder")
    settings: RantSettings

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.rant_start: float | None = None
        self._last_customer_end: float | None = None
        self._fired: set[str] = set()
        self._holding: Segment | None = None  # a company turn that has taken the floor
        self.rants: list[Rant] = []

    # --- floor tracking -------------------------------------------------------------------
    def _customer_open(self) -> bool:
        st = self.state
        return any(st.is_customer(sp) for sp in st.open)

    def _close(self, end: float, ended_by: str, step_in: Segment | None = None) -> None:
        assert self.rant_start is not None
        self.rants.append(Rant(self.rant_start, end, ended_by, step_in))
        self.rant_start = None
        self._fired = set()

    def _silence_end(self) -> float | None:
        if self.rant_start is None or self._customer_open() or self._last_customer_end is None:
            return None
        return self._last_customer_end + self.settings.max_pause_s

    def _fire_due(self, now: float, alive_until: float | None) -> list[Output]:
        out: list[Output] = []
        if self.rant_start is None:
            return out
        lead = self.state.call.lead
        for kind, after in (
            ("rant", self.settings.nudge_after_s),
            ("rant_reminder", self.settings.remind_after_s),
        ):
            at = self.rant_start + after
            if kind in self._fired or at > now or (alive_until is not None and at >= alive_until):
                continue
            self._fired.add(kind)
            finding = Finding(
                self.id,
                kind,
                at,
                lead.id if lead else "",
                self.rant_start,
                at,
                detail=f"customer has held the floor {after:.0f} s",
            )
            out += [finding, self.nudge(kind, at, finding=finding)]
        return out

    def on_speech_started(self, ev: SpeechStarted) -> list[Output]:
        out = self.advance(self.state.now)
        if self.state.is_customer(ev.speaker) and self.rant_start is None and self._holding is None:
            self.rant_start = ev.at
        return out

    def on_speech_ended(self, ev: SpeechEnded) -> list[Output]:
        st = self.state
        if st.is_customer(ev.speaker):
            self._last_customer_end = ev.end
        out = self.advance(st.now)
        if st.is_company(ev.speaker):
            seg = next((s for s in reversed(st.segments) if s.speaker == ev.speaker), None)
            if seg is not None and seg.duration(ev.end) >= self.settings.backchannel_max_s:
                out += self._take_floor(seg, ev.end)
            if self._holding is seg:
                self._holding = None
                if self._customer_open() and self.rant_start is None:
                    self.rant_start = ev.end
        return out

    def _take_floor(self, seg: Segment, now: float) -> list[Output]:
        out = self._fire_due(now, seg.start)
        if self.rant_start is not None and seg.start > self.rant_start:
            self._close(seg.start, "step_in", seg)
        elif self.rant_start is not None:
            self.rant_start = None
            self._fired = set()
        if seg.end is None:
            self._holding = seg
        return out

    def advance(self, now: float) -> list[Output]:
        st = self.state
        out: list[Output] = []
        silence_end = self._silence_end()
        # A company turn becomes a step-in once it outlasts a backchannel.
        for seg in list(st.open.values()):
            if (
                st.is_company(seg.speaker)
                and seg is not self._holding
                and now - seg.start >= self.settings.backchannel_max_s + st.lag_s
            ):
                if silence_end is not None and silence_end <= seg.start:
                    out += self._fire_due(now, silence_end)
                    self._close(self._last_customer_end or silence_end, "silence")
                    silence_end = None
                out += self._take_floor(seg, now)
        silence_end = self._silence_end()
        out += self._fire_due(now, silence_end)
        if silence_end is not None and now >= silence_end:
            self._close(self._last_customer_end or silence_end, "silence")
        return out

    def finish(self, end: float) -> list[Output]:
        out = self.advance(end)
        if self.rant_start is not None:
            last = self._last_customer_end if not self._customer_open() else end
            self._close(max(last or end, self.rant_start), "call_end")
        return out

    # --- verdict ----------------------------------------------------------------------------
    def _step_in_text(self, rant: Rant) -> list[Transcript]:
        """The company turn that ended the rant: its utterances in the first seconds."""
        st = self.state
        seg = rant.step_in
        if seg is None:
            seg = next(
                (
                    s
                    for s in st.segments
                    if st.is_company(s.speaker)
                    and s.start >= rant.end - 0.5
                    and s.duration(s.start + 99) >= self.settings.backchannel_max_s
                ),
                None,
            )
        if seg is None:
            return []
        lo, hi = seg.start - 0.5, seg.start + self.settings.step_in_window_s
        return [t for t in st.transcripts if t.speaker == seg.speaker and lo <= t.start <= hi]

    def verdict(self) -> Verdict:
        st = self.state
        if st.call.mono or not st.call.customers or not st.call.company:
            return Verdict("na", "needs the customer and the company on separate channels")
        long_rants = [r for r in self.rants if r.duration >= self.settings.nudge_after_s]
        if not long_rants:
            return Verdict("na", f"no rant reached {self.settings.nudge_after_s:.0f} s")
        evidence = []
        failures = []
        for rant in long_rants:
            step_in = self._step_in_text(rant)
            evidence += [st.evidence(t) for t in step_in]
            text = " ".join(t.text for t in step_in)
            probe = Transcript("", rant.end, rant.end, text)
            if rant.duration > self.settings.fail_after_s:
                failures.append(f"a rant ran {rant.duration:.0f} s before anyone stepped in")
            elif not step_in:
                failures.append(f"a {rant.duration:.0f} s rant ended with no company step-in")
            elif self.match("harsh", probe):
                failures.append(f"harsh step-in ({self.match('harsh', probe)!r})")
            elif self.match("harsh_unless_kind", probe) and not self.match("acknowledge", probe):
                failures.append("the step-in cut the customer off without acknowledging")
            elif not self.match("acknowledge", probe):
                failures.append("the step-in did not acknowledge or sum up what was said")
        if failures:
            return Verdict("fail", "; ".join(failures), evidence)
        return Verdict("pass", f"{len(long_rants)} rant(s) ended by a kind step-in", evidence)
