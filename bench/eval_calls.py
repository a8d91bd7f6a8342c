"""Accuracy of `hakshev analyze` against the labels of every *.call.json in a folder.

    python bench/eval_calls.py ../shared/calls [--show-misses]

Prints, per rubric: accuracy, and F1 of the `fail` class; then accuracy of outcome,
churn_reason and churn_stage; how many labelled live nudges appeared on time; and what the
engine costs per utterance: in all, on the live path (detectors, embeddings, nudges), and the
scorecard's classifications once per call at its end.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.config import get_settings  # noqa: E402
from app.engine.classify import Classifier  # noqa: E402
from app.pipeline.analyze import analyze_transcript  # noqa: E402
from app.pipeline.callfile import load_call  # noqa: E402
from app.pipeline.resources import Resources  # noqa: E402
from app.rubrics.config import RUBRIC_IDS  # noqa: E402

CLASSES = ("outcome", "churn_reason", "churn_stage")


def f1_fail(pairs: list[tuple[str, str]]) -> float | None:
    tp = sum(1 for got, want in pairs if got == "fail" and want == "fail")
    fp = sum(1 for got, want in pairs if got == "fail" and want != "fail")
    fn = sum(1 for got, want in pairs if got != "fail" and want == "fail")
    if tp + fp + fn == 0:
        return None
    return 2 * tp / (2 * tp + fp + fn)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    files = sorted(args.folder.glob("*.call.json"))
    if not files:
        print(f"no *.call.json in {args.folder}", file=sys.stderr)
        return 2
    # The scorecard's classifications run once, when the call ends, not per utterance: timed
    # apart from the live path.
    classify_s = [0.0]
    classify = Classifier.classify

    def timed_classify(self: Classifier, state):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return classify(self, state)
        finally:
            classify_s[0] += time.perf_counter() - t0

    Classifier.classify = timed_classify  # type: ignore[method-assign]
    resources = Resources(get_settings())
    resources.signals  # embed the rubric examples before timing anything  # noqa: B018
    engine_s = engine_cpu_s = 0.0
    utterances = 0
    pairs: dict[str, list[tuple[str, str]]] = {r: [] for r in RUBRIC_IDS}
    classes: dict[str, list[tuple[str, str]]] = {c: [] for c in CLASSES}
    nudges_ok = nudges_total = 0
    for path in files:
        call = load_call(path)
        expected = call.expected or {}
        t0, c0 = time.perf_counter(), time.process_time()
        card = analyze_transcript(resources, call)
        engine_s += time.perf_counter() - t0
        engine_cpu_s += time.process_time() - c0
        utterances += len(call.utterances)
        for rubric in RUBRIC_IDS:
            want = expected.get("verdicts", {}).get(rubric)
            if want is None:
                continue
            got = card.verdicts[rubric].verdict
            pairs[rubric].append((got, want))
            if args.show_misses and got != want:
                print(
                    f"  miss {path.name} {rubric}: got {got}, want {want} — "
                    f"{card.verdicts[rubric].reason}"
                )
        for c in CLASSES:
            if c in expected:
                got = getattr(card, c)
                classes[c].append((got, expected[c]))
                if args.show_misses and got != expected[c]:
                    print(f"  miss {path.name} {c}: got {got}, want {expected[c]}")
        for want in expected.get("nudges", []):
            nudges_total += 1
            hit = any(
                n.rubric == want["rubric"] and abs(n.at - want["at"]) <= want.get("tolerance", 3.0)
                for n in card.nudges
            )
            nudges_ok += hit
            if args.show_misses and not hit:
                print(f"  miss {path.name} nudge {want['rubric']} at {want['at']}")
    print(f"{len(files)} calls in {args.folder}")
    print(f"{'rubric':<22}{'accuracy':>9}{'fail F1':>9}{'n':>4}")
    for rubric, ps in pairs.items():
        if not ps:
            continue
        acc = sum(g == w for g, w in ps) / len(ps)
        f1 = f1_fail(ps)
        print(f"{rubric:<22}{acc:9.2f}{'' if f1 is None else f'{f1:9.2f}':>9}{len(ps):4d}")
    for c, ps in classes.items():
        if ps:
            print(f"{c:<22}{sum(g == w for g, w in ps) / len(ps):9.2f}{'':>9}{len(ps):4d}")
    # CPU time too: on a shared machine the wall time counts other processes' turns.
    live_s = engine_s - classify_s[0]
    print(
        f"engine time per utterance: {1000 * engine_s / max(utterances, 1):.1f} ms wall, "
        f"{1000 * engine_cpu_s / max(utterances, 1):.1f} ms CPU ({utterances} utterances); "
        f"live path {1000 * live_s / max(utterances, 1):.1f} ms wall per utterance, "
        f"classification at the end {1000 * classify_s[0] / len(files):.0f} ms per call"
    )
    if nudges_total:
        print(f"{'live nudges on time':<22}{nudges_ok / nudges_total:9.2f}{'':>9}{nudges_total:4d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
