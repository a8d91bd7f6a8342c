"""Phrase matching for Hebrew and English utterances, as team leads write phrases in rubric files.

A phrase is plain words; `*` stands for up to four words. Matching is on normalised text (lower
case, punctuation dropped, apostrophes unified) at word boundaries. A Hebrew phrase also matches
after the one-letter prefixes that Hebrew glues to words (ו, ה, ש, ב, ל, כ, מ: "וזה הנוהל").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "׳": "'", "״": '"', "־": " "})
_NON_WORD = re.compile(r"[^\w'\s]+", re.UNICODE)
_HEBREW = re.compile(r"[\u0590-\u05FF]")
_HE_PREFIX = "[וֹהשבלכמ]{0,3}"
_WILDCARD = r"(?:\S+\s+){0,4}?"


def normalize(text: str) -> str:
    """Lower case, no niqqud, no punctuation but apostrophes, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_APOSTROPHES).lower()
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())


def _phrase_regex(phrase: str) -> str:
    words = normalize(phrase.replace("*", " __star__ ")).split()
    parts: list[str] = []
    for word in words:
        if word == "__star__":
            parts.append(_WILDCARD)
        else:
            parts.append(re.escape(word) + r"\s+")
    body = "".join(parts)
    body = body[: -len(r"\s+")] if body.endswith(r"\s+") else body
    prefix = _HE_PREFIX if words and _HEBREW.match(words[0]) else ""
    return rf"(?:^|\s){prefix}{body}(?=\s|$)"


class PhraseMatcher:
    """Finds the first listed phrase in a text; compiled once per phrase list."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = [p for p in phrases if normalize(p)]
        self._regexes = [(p, re.compile(_phrase_regex(p))) for p in self.phrases]

    def find(self, text: str) -> str | None:
        norm = normalize(text)
        for phrase, regex in self._regexes:
            if regex.search(norm):
                return phrase
        return None

    def __bool__(self) -> bool:
        return bool(self._regexes)
