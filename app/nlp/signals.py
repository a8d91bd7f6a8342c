"""Signals by meaning: is this utterance like a rubric's examples of a kind (a pitch, a
procedure excuse, a satisfaction question), and unlike everyday call talk?

Each rubric file may give, per kind, example utterances in Hebrew and English (and counter-
examples: near misses that are not that kind). Two ways to decide, chosen per kind (`method`):

- `head` (the rubrics' default): a logistic regression on the e5 embedding, trained when the
  bank is built (well under a second for all kinds) on the kind's examples against ordinary
  call talk (`rubrics/contrast.yaml`), its counter-examples and the other kinds' examples
  (those of its own rubric, and of every other rubric but one whose examples overlap). It
  learns which directions of meaning make the kind, rather than how close one sentence is to
  one example, so it carries better to phrasings the examples don't have. It fires at
  probability `threshold`.
- `nearest`: the utterance's closest examples are closer than its closest contrast sentences
  (and counters) by `margin`, and at least `min_similarity` close (the classifications use it);
- `either`: fires when `nearest` or `head` does (the outcome classes: the head finds wordings
  the examples don't have, the margin keeps what they say closely).

Embeddings are cosine-normalised multilingual-e5-small: examples in either language count for
both. Adding examples to a rubric file retrains its head at the next start.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from app.nlp.embed import DIM, Embedder
from app.rubrics.config import LANGUAGES, ExampleSet, PhraseLists, RubricFile, load_yaml_model

logger = logging.getLogger(__name__)

TOP_K = 3
# Strength of the logistic heads' L2 penalty (the training sentences' weights sum to their count).
HEAD_L2 = 10.0
# Heads judge utterances of at least this many words.
HEAD_MIN_WORDS = 4
# For `nearest` kinds: how far from its margin an utterance is clearly one side (e5's cosines
# are compressed: margins of examples rarely pass 0.05).
NEAREST_SPREAD = 0.04


class ContrastFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: PhraseLists
    company: PhraseLists


def load_contrast(path: Path) -> ContrastFile:
    return load_yaml_model(path, ContrastFile)


def _topk(values: np.ndarray, k: int = TOP_K) -> float:
    if values.size == 0:
        return -1.0
    if values.size <= k:
        return float(values.mean())
    return float(np.partition(values, -k)[-k:].mean())


@dataclass(frozen=True)
class _Kind:
    positives: np.ndarray  # row indices into the bank's matrix
    negatives: np.ndarray
    margin: float
    min_similarity: float
    weights: np.ndarray  # the logistic head: weights over the embedding, then the bias
    threshold: float
    method: str


def train_head(
    x: np.ndarray, y: np.ndarray, l2: float = HEAD_L2, iterations: int = 25
) -> np.ndarray:
    """L2-regularised logistic regression (Newton's method), classes weighted to balance:
    weights over the features, then the bias."""
    xb = np.hstack([x, np.ones((len(x), 1), x.dtype)]).astype(np.float64)
    pos = max(float(y.sum()), 1.0)
    neg = max(float(len(y) - y.sum()), 1.0)
    sample_w = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * neg))
    reg = np.full(xb.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    w = np.zeros(xb.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (sample_w * (p - y)) + reg * w
        hess = (xb * (sample_w * p * (1 - p))[:, None]).T @ xb + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return w.astype(np.float32)


def cached_head(cache_dir: Path | None, x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """`train_head`, remembered on disk by a digest of its training data: a process starts with
    the heads of the same rubric files in milliseconds instead of training them again."""
    if cache_dir is None:
        return train_head(x, y, l2)
    digest = hashlib.sha256()
    for part in (np.ascontiguousarray(x, np.float32), np.ascontiguousarray(y, np.float32)):
        digest.update(str(part.shape).encode())
        digest.update(part.tobytes())
    digest.update(f"l2={l2};v1".encode())
    path = cache_dir / "heads" / f"{digest.hexdigest()[:32]}.npy"
    try:
        weights = np.load(path)
        if weights.shape == (x.shape[1] + 1,):
            return weights.astype(np.float32)
    except (OSError, ValueError):
        pass
    weights = train_head(x, y, l2)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, weights)
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("could not cache a trained head in %s: %s", path.parent, exc)
    return weights


# Kinds whose examples may say the same thing, so neither is trained as the other's negative.
OVERLAPS = {
    frozenset({"say_we_want_you", "leave_door_open"}),
    frozenset({"kind_rant_interrupt", "find_real_reason"}),
}


def _negative_for(key: tuple[str, str], other: tuple[str, str]) -> bool:
    """May `other`'s examples teach `key`'s head what the kind is not? The other kinds of the
    same rubric or classification may; the other rubrics' kinds may (except the overlapping
    ones), but not another classification's classes (a churn reason is often also a stage)."""
    if key[0] == other[0]:
        return True
    if key[0].startswith("classify:") and other[0].startswith("classify:"):
        return False
    return frozenset({key[0], other[0]}) not in OVERLAPS


@dataclass(frozen=True, slots=True)
class Reading:
    """One utterance read against the bank: its similarity to every example sentence and each
    kind's head probability."""

    sims: np.ndarray
    probs: np.ndarray
    words: int


class SignalBank:
    """Every example of every rubric, embedded once, and the decision for each kind."""

    def __init__(
        self,
        embedder: Embedder,
        specs: dict[str, RubricFile],
        contrast: ContrastFile,
        extra: dict[tuple[str, str], ExampleSet] | None = None,
    ) -> None:
        self.embedder = embedder
        texts: list[str] = []

        def add(sentences: list[str]) -> np.ndarray:
            start = len(texts)
            texts.extend(sentences)
            return np.arange(start, len(texts))

        parts = (contrast.customer, contrast.company)
        contrast_idx = add([s for lang in LANGUAGES for part in parts for s in part.get(lang)])
        groups = {(r, k): ex for r, spec in specs.items() for k, ex in spec.examples.items()}
        groups.update(extra or {})
        spans: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, ExampleSet]] = {}
        for key, ex in groups.items():
            pos = add([s for lang in LANGUAGES for s in ex.get(lang)])
            counter = add([s for lang in LANGUAGES for s in ex.counter.get(lang)])
            spans[key] = (pos, counter, ex)
        self.matrix = embedder.embed_many(texts) if texts else np.zeros((0, DIM), np.float32)
        # The heads read embeddings centred and scaled over every sentence of the bank: e5's
        # cosines crowd into 0.75-0.95, its informative part is the deviation from the mean.
        self._center = self.matrix.mean(axis=0) if len(texts) else np.zeros(DIM, np.float32)
        spread = float((self.matrix - self._center).std()) if len(texts) else 1.0
        self._scale = 1.0 / max(spread, 1e-6)
        features = (self.matrix - self._center) * self._scale
        self._kinds: dict[tuple[str, str], _Kind] = {}
        rows: list[np.ndarray] = []
        for key, (pos, counter, ex) in spans.items():
            # A kind is told apart from everyday talk, its near misses, and the other kinds of
            # its rubric (or classification).
            others = [p for k, (p, _, _) in spans.items() if k != key and _negative_for(key, k)]
            neg = np.concatenate([contrast_idx, counter, *others]).astype(int)
            neg = np.setdiff1d(neg, pos)
            x = features[np.concatenate([pos, neg])]
            y = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
            weights = (
                cached_head(embedder.cache_dir, x, y, HEAD_L2)
                if len(pos)
                else np.zeros(DIM + 1, np.float32)
            )
            rows.append(weights)
            self._kinds[key] = _Kind(
                pos,
                np.concatenate([contrast_idx, counter]),
                ex.margin,
                ex.min_similarity,
                weights,
                ex.threshold,
                ex.method,
            )
        self._index = {key: i for i, key in enumerate(self._kinds)}
        self._heads = np.stack(rows) if rows else np.zeros((0, DIM + 1), np.float32)

    def has(self, rubric: str, kind: str) -> bool:
        return (rubric, kind) in self._kinds

    def read(self, text: str) -> Reading:
        """The utterance against every example and every head (one embedding, two products)."""
        vec = self.embedder.embed(text)
        feats = (vec - self._center) * self._scale
        logits = self._heads[:, :-1] @ feats + self._heads[:, -1]
        return Reading(self.matrix @ vec, 1.0 / (1.0 + np.exp(-logits)), len(text.split()))

    def score(self, rubric: str, kind: str, reading: Reading) -> tuple[float, float]:
        """(margin over the contrast, similarity to the closest examples)."""
        k = self._kinds[(rubric, kind)]
        pos = _topk(reading.sims[k.positives])
        return pos - _topk(reading.sims[k.negatives]), pos

    def probability(self, rubric: str, kind: str, reading: Reading) -> float:
        """The kind's head: how likely the utterance is of the kind, 0..1."""
        return float(reading.probs[self._index[(rubric, kind)]])

    def confidence(self, rubric: str, kind: str, reading: Reading) -> float:
        """How clearly the utterance is, or is not, of the kind: 0 on the head's threshold,
        1 far from it."""
        k = self._kinds.get((rubric, kind))
        if k is None:
            return 0.0
        if k.method == "nearest":
            return self._nearest_confidence(k, rubric, kind, reading)
        if k.method == "either":
            # As sure as the surer of the readings that fire; if neither fires, the less sure.
            both = [
                (
                    self._nearest_fires(k, rubric, kind, reading),
                    self._nearest_confidence(k, rubric, kind, reading),
                ),
                (
                    self._head_fires(k, rubric, kind, reading),
                    self._head_confidence(k, rubric, kind, reading),
                ),
            ]
            fired = [c for f, c in both if f]
            return max(fired) if fired else min(c for _, c in both)
        return self._head_confidence(k, rubric, kind, reading)

    def _nearest_confidence(self, k: _Kind, rubric: str, kind: str, reading: Reading) -> float:
        margin, _ = self.score(rubric, kind, reading)
        return min(1.0, abs(margin - k.margin) / NEAREST_SPREAD)

    def _head_confidence(self, k: _Kind, rubric: str, kind: str, reading: Reading) -> float:
        p = self.probability(rubric, kind, reading)
        if reading.words < HEAD_MIN_WORDS:
            return 1.0 if p < k.threshold else 0.5  # left to the phrases: unsure if it looks it
        side = k.threshold if p < k.threshold else 1.0 - k.threshold
        return min(1.0, abs(p - k.threshold) / max(side, 1e-6))

    def fires(self, rubric: str, kind: str, reading: Reading) -> bool:
        k = self._kinds.get((rubric, kind))
        if k is None:
            return False
        if k.method == "either":
            return self._nearest_fires(k, rubric, kind, reading) or self._head_fires(
                k, rubric, kind, reading
            )
        if k.method == "head":
            return self._head_fires(k, rubric, kind, reading)
        return self._nearest_fires(k, rubric, kind, reading)

    def _head_fires(self, k: _Kind, rubric: str, kind: str, reading: Reading) -> bool:
        # A short line ("Okay. Good day.") sits far from every example and from the contrast
        # alike, where a linear head extrapolates: leave those to the phrases.
        if reading.words < HEAD_MIN_WORDS:
            return False
        return self.probability(rubric, kind, reading) >= k.threshold

    def _nearest_fires(self, k: _Kind, rubric: str, kind: str, reading: Reading) -> bool:
        margin, pos = self.score(rubric, kind, reading)
        return margin >= k.margin and pos >= k.min_similarity
