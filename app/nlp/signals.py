"""Signals by meaning: is this utterance like a rubric's examples of a kind (a pitch, a
procedure excuse, a satisfaction question), and unlike everyday call talk?

Each rubric file may give, per kind, example utterances in Hebrew and English (and counter-
examples: near misses that are not that kind). An utterance has the kind when its closest
examples are closer than its closest "contrast" sentences (`rubrics/contrast.yaml`, ordinary
things said on a retention call, plus the counter-examples) by `margin`, and at least
`min_similarity` close in absolute terms. Scores are cosine similarities of e5 embeddings;
examples in either language count for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from app.nlp.embed import DIM, Embedder
from app.rubrics.config import LANGUAGES, ExampleSet, PhraseLists, RubricFile, load_yaml_model

TOP_K = 3


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
        self._kinds: dict[tuple[str, str], _Kind] = {}
        groups = {(r, k): ex for r, spec in specs.items() for k, ex in spec.examples.items()}
        groups.update(extra or {})
        for key, ex in groups.items():
            pos = add([s for lang in LANGUAGES for s in ex.get(lang)])
            counter = add([s for lang in LANGUAGES for s in ex.counter.get(lang)])
            self._kinds[key] = _Kind(
                pos, np.concatenate([contrast_idx, counter]), ex.margin, ex.min_similarity
            )
        self.matrix = embedder.embed_many(texts) if texts else np.zeros((0, DIM), np.float32)

    def has(self, rubric: str, kind: str) -> bool:
        return (rubric, kind) in self._kinds

    def similarities(self, text: str) -> np.ndarray:
        """The utterance against every example (one embedding, one product)."""
        return self.matrix @ self.embedder.embed(text)

    def score(self, rubric: str, kind: str, sims: np.ndarray) -> tuple[float, float]:
        """(margin over the contrast, similarity to the closest examples)."""
        k = self._kinds[(rubric, kind)]
        pos = _topk(sims[k.positives])
        return pos - _topk(sims[k.negatives]), pos

    def fires(self, rubric: str, kind: str, sims: np.ndarray) -> bool:
        k = self._kinds.get((rubric, kind))
        if k is None:
            return False
        margin, pos = self.score(rubric, kind, sims)
        return margin >= k.margin and pos >= k.min_similarity
