"""Load: N synthesised calls streamed at once in real time over loopback; nothing may be lost.

    python bench/load.py --calls N --minutes M [--model base|tiny.en] [--stagger S] [--seed S]
                         [--keep] [--events] [--env HAKSHEV_X=value ...]

Runs `bench/latency.py`'s benchmark (the same server in a subprocess with a fresh data folder,
the same client, the same latency measurement and CPU/RSS readings from /proc — see its doc)
with calls M minutes long (the English test call's turns repeated, spoken by espeak-ng), and then
checks that no utterance was lost, from what the database holds (GET /v1/calls/{id}):

- spoken: the utterances of the script that end inside the streamed audio;
- stored: the final transcripts the database has for the call. A spoken utterance is heard
  when a stored final of the same speaker overlaps it in time;
- lost under load: every call is the same audio, so every call must store a final for the same
  stretches of speech (same speaker and start: the voice activity is deterministic); a final
  another call stored and this one did not, or a spoken utterance another call heard and this
  one did not, was lost under load. The text may differ between calls — when greedy decoding
  fails Whisper's checks it samples at a higher temperature — and is not compared. Spoken
  utterances no call heard are the recogniser's misses (e.g. a half-second "Mm-hm" below the
  VAD's minimum), the same at any load, and are listed apart;
- events vs. database: every final transcript received on the events socket is stored, and
  every stored one was received.

The issue's targets: 20 calls × 10 min with tiny.en, 12 × 10 min with base, 0 lost, latency
targets as in latency.py, RSS ≤ 700 MB + 15 MB per call.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import latency  # noqa: E402
from latency import PARTICIPANTS, CallRun, Options, RunResult, run_once, synthesise, yes  # noqa: E402

from tests.synth import Spoken  # noqa: E402

Line = tuple[str, float, float, str]


def _line(u: dict[str, Any]) -> Line:
    return (u["speaker"], round(float(u["start"]), 2), round(float(u["end"]), 2), u["text"])


def _heard(spoken: Spoken, stored: list[Line]) -> bool:
    who = PARTICIPANTS[spoken.speaker].id
    return any(s == who and a < spoken.end and b > spoken.start for s, a, b, _ in stored)


def _unmatched(these: list[Line], those: list[Line]) -> int:
    """How many of `these` have no counterpart in `those` (same speaker and text, times within
    10 ms: the database keeps times to the millisecond, the events to the centisecond)."""
    left = list(those)
    missing = 0
    for s, a, _b, t in these:
        match = next((o for o in left if o[0] == s and o[3] == t and abs(o[1] - a) <= 0.011), None)
        if match is None:
            missing += 1
        else:
            left.remove(match)
    return missing


def check_losses(result: RunResult, spoken: list[Spoken]) -> int:
    """Print the loss report; returns the number of utterances lost under load."""
    runs: list[CallRun] = result.runs
    stored = {r.call_id: [_line(u) for u in (r.stored or {}).get("utterances", [])] for r in runs}
    heard = {
        cid: {i for i, u in enumerate(spoken) if _heard(u, lines)} for cid, lines in stored.items()
    }
    by_any = set().union(*heard.values()) if heard else set()
    starts: list[tuple[str, float]] = []  # every stretch some call has a final for
    for who, at in sorted({(s, a) for lines in stored.values() for s, a, _b, _t in lines}):
        if not starts or starts[-1][0] != who or at - starts[-1][1] > 0.05:
            starts.append((who, at))
    print(f"\nutterances: {len(spoken)} spoken per call (ending within the audio)")
    print(
        f"{'call':<28} {'stored':>6} {'heard':>6} {'missed':>6} {'lost':>5} {'finals lost':>11}"
        f" {'events≠db':>9}"
    )
    total_lost = 0
    for r in runs:
        lines = stored[r.call_id]
        lost_spoken = by_any - heard[r.call_id]
        lost_finals = [
            (s, a)
            for s, a in starts
            if not any(o == s and abs(oa - a) <= 0.05 for o, oa, _b, _t in lines)
        ]
        received = [_line(e) for e in r.finals]
        mismatch = _unmatched(received, lines) + _unmatched(lines, received)
        lost = len(lost_spoken) + len(lost_finals) + mismatch
        total_lost += lost
        missed = len(spoken) - len(heard[r.call_id])
        print(
            f"{r.call_id:<28} {len(lines):6d} {len(heard[r.call_id]):6d} {missed:6d}"
            f" {len(lost_spoken):5d} {len(lost_finals):11d} {mismatch:9d}"
        )
        for i in sorted(lost_spoken)[:10]:
            print(f"  lost: {spoken[i].start:7.2f}-{spoken[i].end:7.2f} {spoken[i].text[:60]!r}")
        for who, at in lost_finals[:10]:
            print(f"  a final another call stored, not this one: {who} at {at:7.2f}")
    never = [u for i, u in enumerate(spoken) if i not in by_any]
    if never:
        print(f"spoken utterances no call heard (recogniser misses, not load): {len(never)}")
        for u in never[:10]:
            who = PARTICIPANTS[u.speaker].id
            print(f"  {u.start:7.2f}-{u.end:7.2f} {who}: {u.text[:60]!r}")
    print(f"utterances lost under load: {total_lost}")
    return total_lost


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=12, help="concurrent calls (default 12)")
    ap.add_argument("--minutes", type=float, default=10.0, help="call length (default 10)")
    ap.add_argument("--model", default="base", help="HAKSHEV_WHISPER_MODEL (default base)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the start stagger")
    ap.add_argument(
        "--stagger",
        type=float,
        default=latency.STAGGER_S,
        help=f"spread of the call starts, s (default {latency.STAGGER_S:.0f})",
    )
    ap.add_argument("--keep", action="store_true", help="keep the data dir and server log")
    ap.add_argument("--events", action="store_true", help="list every measured event")
    ap.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="HAKSHEV_X=VALUE",
        help="an extra setting for the server (repeatable)",
    )
    args = ap.parse_args()
    if args.calls < 1 or args.minutes <= 0:
        ap.error("--calls must be ≥ 1 and --minutes > 0")
    env = dict(kv.split("=", 1) for kv in args.env)
    audio, spoken = synthesise(args.minutes)
    opts = Options(args.model, args.seed, args.keep, args.events, args.stagger, env)
    result = run_once(args.calls, audio, opts)
    lost = check_losses(result, spoken)
    ok = result.holds and lost == 0
    print(
        f"\nload {args.calls} × {args.minutes:g} min, {args.model}: latency targets"
        f" {yes(result.latency_ok)}, RSS {result.rss_mb:.0f} MB (≤ {result.rss_target_mb:.0f}:"
        f" {yes(result.rss_mb <= result.rss_target_mb)}), server CPU {result.cpu.server:.0f} %,"
        f" every call scored {yes(result.scorecards_ok)}, error events {result.error_events},"
        f" lost {lost}: {'holds' if ok else 'does NOT hold'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
