"""Digits in a transcript, written or spoken, with where they stand in the text.

Whisper writes a number read out in a call sometimes as numerals ("4580 1234"), sometimes as
words ("four five eight oh", "ארבע חמש שמונה אפס"), and often as both mixed. Redaction needs
the digit string *and* the characters it came from, so this scanner turns a text into runs of
numeric tokens, each token with its digits and its character span.

Why a small table rather than a library: the number-word parsers on PyPI (word2number,
text2num, number-parser) return a converted string without offsets, read numbers as quantities
("forty five thirty two" is not 4532 to them) and none knows Hebrew. Card, ID and phone numbers
are read out digit by digit or in groups of two or three, which this table covers in both
languages: digits, teens, tens with their units, "hundred", "double"/"triple", and the Hebrew
conjunction prefix ו ("עשרים ושלוש").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# English: the spoken digits and groups.
_EN_DIGITS = {
    "zero": 0,
    "oh": 0,
    "nought": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_EN_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Hebrew: masculine and feminine forms, construct forms, common spellings.
_HE_DIGITS = {
    "אפס": 0,
    "אחת": 1,
    "אחד": 1,
    "שתיים": 2,
    "שתים": 2,
    "שניים": 2,
    "שנים": 2,
    "שתי": 2,
    "שני": 2,
    "שלוש": 3,
    "שלושה": 3,
    "שלש": 3,
    "ארבע": 4,
    "ארבעה": 4,
    "חמש": 5,
    "חמישה": 5,
    "חמשה": 5,
    "שש": 6,
    "שישה": 6,
    "ששה": 6,
    "שבע": 7,
    "שבעה": 7,
    "שמונה": 8,
    "תשע": 9,
    "תשעה": 9,
}
_HE_TEN = {"עשר", "עשרה"}  # "ten", and the second word of the teens (אחת עשרה = 11)
_HE_TENS = {
    "עשרים": 20,
    "שלושים": 30,
    "שלשים": 30,
    "ארבעים": 40,
    "חמישים": 50,
    "שישים": 60,
    "שבעים": 70,
    "שמונים": 80,
    "תשעים": 90,
}
_HE_HUNDREDS = {"מאה": 100, "מאתיים": 200}
_HUNDRED_WORDS = {"hundred", "מאות"}  # "four hundred", "ארבע מאות"
_REPEAT = {"double": 2, "triple": 3}

_DIGIT = {**_EN_DIGITS, **_HE_DIGITS}
_TENS = {**_EN_TENS, **_HE_TENS}

TOKEN = re.compile(r"\+|\d+|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# What may stand between two numeric tokens of one number: spaces, dashes, dots, commas, slashes,
# brackets (a written "(03) 555-1234" or a spoken "four five, eight oh").
_JOINER = re.compile(r"^[\s\-‐–—.,/()]*$")


@dataclass(frozen=True, slots=True)
class NumToken:
    """Digits said by one word (or one numeral group), and the characters that said them."""

    digits: str
    start: int
    end: int
    plus: bool = False  # a "+" / "plus" before a phone number


def _word_value(word: str) -> tuple[str, int] | None:
    """(kind, value) of a number word; the Hebrew ו prefix is allowed."""
    w = word.lower()
    for cand in (w, w[1:] if w.startswith("ו") and len(w) > 2 else None):
        if cand is None:
            continue
        if cand in _DIGIT:
            return "digit", _DIGIT[cand]
        if cand in _EN_TEENS:
            return "teen", _EN_TEENS[cand]
        if cand in _HE_TEN:
            return "ten", 10
        if cand in _TENS:
            return "tens", _TENS[cand]
        if cand in _HE_HUNDREDS:
            return "hundreds", _HE_HUNDREDS[cand]
        if cand in _HUNDRED_WORDS:
            return "hundred", 100
        if cand in _REPEAT:
            return "repeat", _REPEAT[cand]
    return None


def number_runs(text: str) -> list[list[NumToken]]:
    """The runs of numeric tokens in `text`, each token with its digits and character span.

    A run is broken by any word that is not a number word, and by punctuation other than the
    joiners of written numbers. Spoken groups are combined the way they are read:
    "forty five" → 45, "four hundred twelve" → 412, "אחת עשרה" → 11, "double five" → 55.
    """
    runs: list[list[NumToken]] = []
    run: list[NumToken] = []
    prev_end = 0
    # Pending spoken group: its value as digits and its span.
    pending: list[tuple[str, int, object]] = []  # (kind, value, match)
    plus_next: int | None = None  # where a "+" / "plus" before the run stood

    def add(tokens: list[NumToken]) -> None:
        nonlocal plus_next
        if tokens and not run and plus_next is not None:
            tokens[0] = NumToken(tokens[0].digits, plus_next, tokens[0].end, True)
        plus_next = None
        run.extend(tokens)

    def flush_group() -> None:
        nonlocal pending
        if not pending:
            return
        add(_combine(pending))
        pending = []

    def end_run() -> None:
        nonlocal run, plus_next
        flush_group()
        if run:
            runs.append(run)
        run = []
        plus_next = None

    for m in TOKEN.finditer(text):
        between = text[prev_end : m.start()]
        word = m.group()
        if (run or pending) and not _JOINER.match(between):
            end_run()
        prev_end = m.end()
        if word == "+" or word.lower() in ("plus", "פלוס"):
            end_run()
            plus_next = m.start()
            prev_end = m.end()
            continue
        if word.isdigit():
            flush_group()
            add([NumToken(word, m.start(), m.end())])
            continue
        value = _word_value(word)
        if value is None:
            end_run()
            continue
        kind, v = value
        if not _continues(pending, kind, v):
            flush_group()
        pending.append((kind, v, m))
    end_run()
    return [r for r in runs if r]


def _continues(pending: list[tuple[str, int, object]], kind: str, value: int) -> bool:
    """Whether a number word extends the spoken group before it (rather than starting one)."""
    if not pending:
        return False
    last_kind = pending[-1][0]
    if last_kind == "repeat":
        return kind == "digit"
    if kind == "hundred":
        return last_kind == "digit" and len(pending) == 1
    if kind == "ten":  # Hebrew teens: a digit then עשר/עשרה
        return last_kind == "digit" and len(pending) == 1
    if kind == "digit":
        return last_kind in ("tens", "hundred", "hundreds")
    if kind in ("tens", "teen"):
        return last_kind in ("hundred", "hundreds")
    return False


def _combine(group: list[tuple[str, int, object]]) -> list[NumToken]:
    """One spoken group → its digits. A lone digit word is one digit; a group is its value."""
    first, last = group[0][2], group[-1][2]
    start, end = first.start(), last.end()  # type: ignore[attr-defined]
    kinds = [g[0] for g in group]
    if kinds[0] == "repeat":
        if len(group) == 2:
            return [NumToken(str(group[1][1]) * group[0][1], start, end)]
        return []
    if len(group) == 1:
        kind, v, _ = group[0]
        if kind == "hundred":
            return []
        return [NumToken(str(v), start, end)]
    total = 0
    for kind, v, _ in group:
        if kind == "hundred":
            total *= 100
        elif kind == "ten":
            total += 10
        else:
            total += v
    return [NumToken(str(total), start, end)]
