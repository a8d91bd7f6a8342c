"""What redaction costs: the text pass over every utterance, and the word-timestamp pass that
locates private data in the audio (run only for utterances where a redaction hit).

    .venv/bin/python bench/redaction.py            # text only
    .venv/bin/python bench/redaction.py --audio    # also the Whisper word-timestamp pass
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.pipeline.callfile import load_call  # noqa: E402
from app.privacy.redact import Redactor  # noqa: E402

PII = [
    "My card number is 4580 1234 5678 9015, and my phone is 050-234-5678.",
    "It is noa at gmail dot com, ID one two three four five six seven eight two.",
    "הכרטיס שלי ארבע חמש שמונה אפס אחת שתיים שלוש ארבע חמש שש שבע שמונה תשע אפס אחת חמש",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audio", action="store_true", help="also time the word-timestamp pass")
    ap.add_argument("--model", default="base")
    args = ap.parse_args()
    redactor = Redactor()
    texts = [
        t.text
        for p in sorted((ROOT / "tests" / "calls").glob("*.call.json"))
        for t in load_call(p).transcripts()
    ]
    for label, sample in (("labelled calls (no private data)", texts), ("with private data", PII)):
        times = []
        for _ in range(5):
            for text in sample:
                t0 = time.perf_counter()
                redactor.redact(text)
                times.append(time.perf_counter() - t0)
        words = statistics.mean(len(t.split()) for t in sample)
        print(
            f"text pass, {label}: {len(sample)} utterances (mean {words:.0f} words): "
            f"median {statistics.median(times) * 1e6:.0f} µs, "
            f"p95 {sorted(times)[int(0.95 * len(times))] * 1e6:.0f} µs, "
            f"max {max(times) * 1e3:.1f} ms"
        )
    if args.audio:
        from app.asr.models import resolve_model
        from app.asr.whisper import WhisperTranscriber
        from app.core.config import get_settings
        from app.demo.speak import speak
        from app.privacy.audio import private_spans

        model = WhisperTranscriber(resolve_model(args.model, get_settings().cache_dir))
        audio = speak(PII[0], "en", 0)
        private_spans(model, redactor, audio, "en", 0.0, len(audio) / 16000)  # warm up
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            spans = private_spans(model, redactor, audio, "en", 0.0, len(audio) / 16000)
            runs.append(time.perf_counter() - t0)
        found = [(round(a, 2), round(b, 2)) for a, b in spans]
        print(
            f"word-timestamp pass ({args.model}, {len(audio) / 16000:.1f} s utterance): "
            f"median {statistics.median(runs):.2f} s; spans {found}"
        )


if __name__ == "__main__":
    main()
