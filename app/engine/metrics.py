"""Call metrics from voice activity: talk share, monologues, reply gaps (all on call time)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from app.engine.state import CallState, Segment

MONOLOGUE_PAUSE_S = 3.0
BACKCHANNEL_S = 1.0


@dataclass(slots=True)
class Metrics:
    talk_seconds: dict[str, float] = field(default_factory=dict)
    talk_share: dict[str, float] = field(default_factory=dict)
    company_share: float = 0.0
    customer_share: float = 0.0
    longest_monologue: dict[str, float] = field(default_factory=dict)
    median_reply_gap: float | None = None
    take_overs: int = 0
    offers: int = 0
    floor: str | None = None  # role holding the floor now
    floor_speaker: str | None = None
    floor_seconds: float = 0.0


def _monologues(state: CallState, now: float) -> list[tuple[str, float, float]]:
    """Stretches where one speaker holds the floor: their speech with pauses under 3 s and
    nobody else saying more than a backchannel. Returns (speaker, start, end)."""
    turns = [s for s in state.segments if s.duration(now) >= BACKCHANNEL_S]
    out: list[tuple[str, float, float]] = []
    for seg in sorted(turns, key=lambda s: s.start):
        end = seg.end_or(now)
        if out:
            speaker, start, last = out[-1]
            if speaker == seg.speaker and seg.start - last < MONOLOGUE_PAUSE_S:
                out[-1] = (speaker, start, max(last, end))
                continue
        out.append((seg.speaker, seg.start, end))
    return out


def _reply_gaps(state: CallState, now: float) -> list[float]:
    """From the end of a customer turn to the start of the company turn that answers it."""
    gaps = []
    turns: list[Segment] = sorted(
        (s for s in state.segments if s.duration(now) >= BACKCHANNEL_S), key=lambda s: s.start
    )
    for prev, nxt in zip(turns, turns[1:], strict=False):
        if state.is_customer(prev.speaker) and state.is_company(nxt.speaker) and prev.end:
            gaps.append(round(nxt.start - prev.end, 2))
    return gaps


def compute(state: CallState, now: float, take_overs: int, offers: int) -> Metrics:
    m = Metrics(take_overs=take_overs, offers=offers)
    for seg in state.segments:
        role = state.role(seg.speaker)
        m.talk_seconds[role] = m.talk_seconds.get(role, 0.0) + seg.duration(now)
    total = sum(m.talk_seconds.values())
    if total > 0:
        m.talk_share = {r: round(v / total, 3) for r, v in m.talk_seconds.items()}
        m.customer_share = round(m.talk_seconds.get("customer", 0.0) / total, 3)
        m.company_share = round(1 - m.customer_share, 3) if state.call.company else 0.0
    m.talk_seconds = {r: round(v, 2) for r, v in m.talk_seconds.items()}
    monologues = _monologues(state, now)
    for speaker, start, end in monologues:
        role = state.role(speaker)
        m.longest_monologue[role] = round(max(m.longest_monologue.get(role, 0.0), end - start), 2)
    gaps = _reply_gaps(state, now)
    if gaps:
        m.median_reply_gap = round(statistics.median(gaps), 2)
    if monologues:
        speaker, start, end = monologues[-1]
        if state.open.get(speaker) is not None or now - end < MONOLOGUE_PAUSE_S:
            m.floor_speaker, m.floor = speaker, state.role(speaker)
            m.floor_seconds = round(now - start, 1)
    return m
