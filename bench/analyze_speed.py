"""Offline analysis speed: a synthesised 5-minute two-channel call through `analyze_samples`.

    python bench/analyze_speed.py [--minutes 5] [--model base]

Prints the call length, the time to load the model, the analysis time and × real time
(target ≥ 25×), and the process's peak RSS (target ≤ 700 MB).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.core.events import Participant  # noqa: E402
from app.pipeline.analyze import analyze_samples, call_info_for_audio  # noqa: E402
from app.pipeline.resources import Resources  # noqa: E402
from tests import scripts_en  # noqa: E402
from tests.synth import SR, Turn, render  # noqa: E402


def script(minutes: float) -> list[Turn]:
    """The English test call's turns, repeated until the call is `minutes` long."""
    turns: list[Turn] = []
    per_round = 190.0  # seconds the test call lasts
    for _ in range(int(minutes * 60 // per_round) + 1):
        turns += scripts_en.TURNS
    return turns


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--model", default="base")
    args = ap.parse_args()

    audio, _ = render(script(args.minutes), "en", 2)
    audio = audio[: int(args.minutes * 60 * SR)]
    seconds = len(audio) / SR
    resources = Resources(Settings(whisper_model=args.model))
    t0 = time.perf_counter()
    resources.transcriber("en")
    resources.signals  # the rubric examples' embeddings: start-up work, like the model  # noqa: B018
    load_s = time.perf_counter() - t0
    people = [Participant("c", "customer", "Customer"), Participant("r", "rep", "Rep")]
    t0 = time.perf_counter()
    card = analyze_samples(resources, call_info_for_audio("bench", "en", people, 2), audio)
    took = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    resources.close()
    print(f"call            {seconds:8.1f} s, 2 channels, {len(card.utterances)} utterances")
    print(
        f"start-up        {load_s:8.2f} s (Whisper {args.model} int8 + rubric examples, "
        f"{resources.settings.asr_workers} workers)"
    )
    print(f"analysis        {took:8.2f} s")
    print(f"speed           {seconds / took:8.1f} × real time (target ≥ 25×)")
    print(f"peak RSS        {rss_mb:8.0f} MB (target ≤ 700 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
