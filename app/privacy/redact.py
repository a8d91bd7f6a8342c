"""Private data in transcripts: found, and replaced with a typed placeholder.

Kinds, and how each is recognised (written or spoken, Hebrew or English, digits and number words
mixed — see `app.privacy.numbers`):

- `card`: 13–19 digits passing the Luhn check (`stdnum.luhn`), not starting with 0.
- `phone`: a number `phonenumbers` (Google's libphonenumber) holds valid — international with a
  `+`/"plus"/`00`, or national in one of the configured regions (Israel, then the US, by default).
- `id`: an Israeli ID number, 9 digits with a valid check digit (`stdnum.il.idnr`).
- `email`: an address as written (`dana@gmail.com`) or as said ("dana at gmail dot com",
  "דנה שטרודל ג'ימייל נקודה קום").

Each is replaced with `[card]`, `[phone]`, `[id]` or `[email]`. A text with none of them comes
back unchanged, character for character, so the rubrics see exactly what they saw before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn
from stdnum.il import idnr

from app.privacy.numbers import NumToken, number_runs

KINDS: tuple[str, ...] = ("card", "id", "phone", "email")
PARTIAL_DIGITS = 9
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("IL", "US")

_W = r"[^\W_]+(?:['’׳][^\W_]+)*"  # a word, letters and digits (Hebrew geresh allowed)
_SEP = r"(?:\.|\s+(?:dot|נקודה|דוט)\s+)"  # a written dot has no space around it
_LOCAL_SEP = r"(?:[._+-]|\s+(?:dot|underscore|dash|נקודה|דוט|מקף)\s+)"
_AT = r"(?:\s*@\s*|\s+(?:at|שטרודל|כרוכית)\s+)"
_TLD = (
    r"(?:com|net|org|edu|gov|il|co|io|uk|info|biz|me|ai|app|dev|us|ca|de|fr|es|it|ru|au|in|nl"
    r"|eu|ch|se|online|קום|נט|אורג|איי\s?אל)"
)
_EMAIL = re.compile(
    rf"(?<![\w@.])(?:{_W}(?:{_LOCAL_SEP}{_W})*){_AT}(?:{_W}{_SEP})+{_TLD}\b",
    re.IGNORECASE | re.UNICODE,
)


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Redacted:
    text: str
    hits: tuple[Hit, ...] = ()

    @property
    def kinds(self) -> list[str]:
        return sorted({h.kind for h in self.hits})


class Redactor:
    """Finds and replaces private data in text; pure and thread-safe."""

    def __init__(
        self,
        kinds: Iterable[str] = KINDS,
        phone_regions: Iterable[str] = DEFAULT_PHONE_REGIONS,
    ) -> None:
        self.kinds = frozenset(kinds)
        unknown = self.kinds - set(KINDS)
        if unknown:
            raise ValueError(f"unknown redaction kind(s): {', '.join(sorted(unknown))}")
        self.phone_regions = tuple(phone_regions)

    def find(self, text: str) -> list[Hit]:
        """Non-overlapping hits in `text`, in order."""
        hits: list[Hit] = []
        if "email" in self.kinds:
            hits += [Hit("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
        if self.kinds & {"card", "id", "phone"}:
            for run in number_runs(text):
                for hit in self._numbers(run):
                    if not any(h.start < hit.end and hit.start < h.end for h in hits):
                        hits.append(hit)
        return sorted(hits, key=lambda h: h.start)

    def redact(self, text: str, *, partial: bool = False) -> Redacted:
        """`text` with its private data replaced. A `partial` text is a line still being said:
        there a number of 9 digits or more is replaced (`[number]`) even when it isn't (yet) a
        whole card or phone number, so half a card number never reaches a screen."""
        hits = self.find(text)
        if partial and self.kinds & {"card", "id", "phone"}:
            for run in number_runs(text):
                a, b = run[0].start, run[-1].end
                long = sum(len(t.digits) for t in run) >= PARTIAL_DIGITS
                if long and not any(h.start < b and a < h.end for h in hits):
                    hits.append(Hit("number", a, b))
            hits.sort(key=lambda h: h.start)
        if not hits:
            return Redacted(text)
        out, pos = [], 0
        for h in hits:
            out += [text[pos : h.start], f"[{h.kind}]"]
            pos = h.end
        out.append(text[pos:])
        return Redacted("".join(out), tuple(hits))

    # --- numbers ---------------------------------------------------------------------------
    def _numbers(self, run: list[NumToken]) -> list[Hit]:
        """Stretches of whole tokens that are a card, a phone number or an ID number: cards
        first, then phone numbers, then IDs; the longest first within a kind."""
        found: list[tuple[int, int, int, str]] = []  # (priority, -digits, i, j) ...
        for i in range(len(run)):
            digits = ""
            for j in range(i, len(run)):
                digits += run[j].digits
                if len(digits) > 19:
                    break
                kind = self._kind(digits, run[i].plus)
                if kind is not None:
                    found.append((_PRIORITY[kind], -len(digits), i, j, kind))  # type: ignore[arg-type]
        taken: list[tuple[int, int, str]] = []
        for _, _, i, j, kind in sorted(found):
            if any(i <= b and a <= j for a, b, _ in taken):
                continue
            taken.append((i, j, kind))
        # The rest of a run that holds private data goes with it: one number said in one breath
        # ("050234-5678" where Whisper misplaced a digit group) is redacted whole.
        taken.sort()
        hits: list[Hit] = []
        for n, (i, _j, kind) in enumerate(taken):
            first = 0 if n == 0 else i
            last = taken[n + 1][0] - 1 if n + 1 < len(taken) else len(run) - 1
            hits.append(Hit(kind, run[first].start, run[last].end))
        return hits

    def _kind(self, digits: str, plus: bool) -> str | None:
        n = len(digits)
        if "card" in self.kinds and 13 <= n <= 19 and digits[0] != "0" and luhn.is_valid(digits):
            return "card"
        if "phone" in self.kinds and 7 <= n <= 15 and self._is_phone(digits, plus):
            return "phone"
        if "id" in self.kinds and n == 9 and idnr.is_valid(digits):
            return "id"
        return None

    def _is_phone(self, digits: str, plus: bool) -> bool:
        """Valid as an international number (after a plus, or `00`), or as a national one of a
        configured region, said with its trunk prefix where the region has one (050-…)."""
        if plus or digits.startswith("00"):
            number = "+" + (digits[2:] if digits.startswith("00") and not plus else digits)
            return _valid(number, None, digits_as_said=None, possible=True)
        return any(_valid(digits, r, digits_as_said=digits) for r in self.phone_regions)


_PRIORITY = {"card": 0, "phone": 1, "id": 2}


def _valid(
    number: str, region: str | None, *, digits_as_said: str | None, possible: bool = False
) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    if digits_as_said is not None:
        # Said nationally: the digits must be the national form (with its trunk prefix), so a
        # bare 8-digit number is not read as an Israeli one without its leading 0.
        national = re.sub(
            r"\D", "", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        )
        with_country = f"{parsed.country_code}{parsed.national_number}"  # "1 201 555 0123"
        if digits_as_said not in (national, with_country):
            return False
        if digits_as_said.startswith("0") and phonenumbers.is_possible_number(parsed):
            return True
    if possible and phonenumbers.is_possible_number(parsed):
        return True  # said with its country code: a phone number, allocated range or not
    return phonenumbers.is_valid_number(parsed)


def overlaps(hits: Iterable[Hit], start: int, end: int) -> bool:
    return any(h.start < end and start < h.end for h in hits)


_PLACEHOLDER = re.compile(r"\[(?:card|id|phone|email|number)\]")


def has_placeholder(text: str) -> bool:
    """Whether `text` was redacted (holds a typed placeholder)."""
    return _PLACEHOLDER.search(text) is not None


def placeholders(text: str) -> int:
    """How many typed placeholders `text` holds."""
    return len(_PLACEHOLDER.findall(text))
