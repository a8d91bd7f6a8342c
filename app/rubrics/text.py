"""Phrase matching for Hebrew and English utterances, as team leads write phrases in rubric files.

A phrase is plain words; `*` stands for up to four words. Matching is on normalised text (lower
case, punctuation dropped, apostrophes unified) at word boundaries. Hebrew glues short words to
the next one, so a Hebrew phrase also matches after the one-letter prefixes (ו, ה, ש, ב, ל, כ, מ:
"וזה הנוהל"), a lone prefix letter in a phrase glues to the word after it ("ידעת ש" matches
"ידעת שהממיר"), and the last word may take a plural or feminine ending ("מהיר" → "מהירים",
"שתישאר" → "שתישארו"; a final letter turns ordinary before it: "משתלם" → "משתלמים"; a
plural takes the other gender's ending: "נשארים" → "נשארות").
"""

from __future__ import annotations

import functools
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


_HE_PREFIX_LETTERS = "והשבלכמ"
_NEGATIONS = frozenset({"not", "no", "never", "לא", "אין", "ולא"})
_HE_ENDING = "(?:ים|ות|ה|ת|י|ו)?"
_HE_PLURALS = ("ים", "ות")
_HE_FINALS = {"ם": "מ", "ן": "נ", "ץ": "צ", "ף": "פ", "ך": "כ"}


def _phrase_regex(phrase: str) -> str:
    words = normalize(phrase.replace("*", " __star__ ")).split()
    while words and words[-1] == "__star__":  # "x *" means "x": a trailing wildcard adds nothing
        words.pop()
    parts: list[str] = []
    for i, word in enumerate(words):
        last = i == len(words) - 1
        if word == "__star__":
            parts.append(_WILDCARD)
        elif len(word) == 1 and word in _HE_PREFIX_LETTERS:
            parts.append(re.escape(word) + (r"\S+" if last else ""))
        elif last and len(word) >= 5 and _HEBREW.match(word) and word[-2:] in _HE_PLURALS:
            # a plural matches the other gender's: נשארים → נשארות, מרוצות → מרוצים (a word of
            # four letters ending so is mostly a singular noun: עלות, cost, is no plural of עלים)
            stem = re.escape(word[:-2])
            parts.append(f"{stem}(?:{'|'.join(_HE_PLURALS)})")
        elif last and len(word) >= 3 and _HEBREW.match(word) and word[-1] in _HE_FINALS:
            # a final letter takes its ordinary form before an ending: משתלם → משתלמים
            stem, final = re.escape(word[:-1]), word[-1]
            parts.append(f"{stem}(?:{final}|{_HE_FINALS[final]}(?:ים|ות|ה|ת|י|ו))")
        else:
            ending = _HE_ENDING if last and len(word) >= 3 and _HEBREW.match(word) else ""
            parts.append(re.escape(word) + ending + ("" if last else r"\s+"))
    body = "".join(parts)
    prefix = _HE_PREFIX if words and _HEBREW.match(words[0]) else ""
    return rf"(?:^|\s){prefix}{body}(?=\s|$)"


_CLAUSE_END = re.compile(r"[,;:.!?…]$")


def _clause_words(text: str) -> list[tuple[str, bool]]:
    """The words of `normalize(text)`, each with whether a clause ends after it (a comma or an
    end mark in the original)."""
    out: list[tuple[str, bool]] = []
    for token in text.split():
        parts = normalize(token).split()
        if parts:
            out.extend((w, False) for w in parts)
            if _CLAUSE_END.search(token.rstrip("\"'”’)»")):
                out[-1] = (out[-1][0], True)
    return out


class PhraseMatcher:
    """Finds the first listed phrase in a text; compiled once per phrase list."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = [p for p in phrases if normalize(p)]
        self._regexes = [(p, re.compile(_phrase_regex(p))) for p in self.phrases]

    @staticmethod
    @functools.lru_cache(maxsize=1024)
    def shared(phrases: tuple[str, ...]) -> PhraseMatcher:
        """One compiled matcher per phrase list for the whole process: detectors are made per
        call, and compiling a rubric set's thousand phrases took a third of a second a call."""
        return PhraseMatcher(phrases)

    def find(self, text: str) -> str | None:
        norm = normalize(text)
        for phrase, regex in self._regexes:
            if regex.search(norm):
                return phrase
        return None

    def find_asserted(self, text: str) -> str | None:
        """Like `find`, skipping a phrase said negated: a negation among the three words before
        it in the same clause ("it's not the price", "זה לא המחיר", "not really about the
        money"; but "No, please just cancel it" says no to something else)."""
        norm = normalize(text)
        words = None
        for phrase, regex in self._regexes:
            for m in regex.finditer(norm):
                if words is None:
                    words = _clause_words(text)
                n = len(norm[: m.start()].split())
                before = words[max(0, n - 3) : n]
                if cut := [i for i, (_, ends) in enumerate(before) if ends]:
                    before = before[cut[-1] + 1 :]
                if not any(w in _NEGATIONS or w.endswith("n't") for w, _ in before):
                    return phrase
        return None

    def find_all(self, text: str) -> list[str]:
        norm = normalize(text)
        return [phrase for phrase, regex in self._regexes if regex.search(norm)]

    def __bool__(self) -> bool:
        return bool(self._regexes)


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s+[-–—]\s+")


_STOP = re.compile(r"(?<=[.!?])\s+")


def split_at_stops(text: str) -> list[str]:
    """The utterance split after . ! ? only (a grammar that reads a sentence's own last mark,
    "?", needs the marks kept and no split at a dash)."""
    return _STOP.split(text.strip())


def split_sentences(text: str) -> list[str]:
    """The sentences of an utterance as transcribed: split after . ! ? … and at a dash between
    words (Whisper punctuates Hebrew and English alike)."""
    return [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
