"""Asking whether the customer is satisfied or needs anything else, told by its grammar (003).

The check is a question, and a casual one more often than not: "anything else bugging you, or
are we all good?", "how does all that sound?", "anything else on the account I can look at while
you're through?", "הכל בסדר חוץ מזה?", "ככה זה טוב לך?". The grammar takes a question that asks
after anything else or after the customer being all right with it.

`checks_satisfaction` returns the words that decided it, or None.
"""

from __future__ import annotations

import re

from app.rubrics.text import normalize, split_at_stops

_EN = re.compile(
    r"\banything\s+(?:else|more)\b|\bare\s+we\s+(?:all\s+)?good\b|\ball\s+good\b"
    r"|\bhow\s+(?:does|do)\s+(?:that|all\s+that|this|those|everything|all\s+of\s+that)\s+sound\b"
    r"|\bhow\s+are\s+we\s+(?:feeling|doing)\b|\bhappy\s+with\s+(?:that|everything|all\s+of\s+that|how)\b"
    r"|\b(?:does|did)\s+(?:that|this|everything)\s+(?:work\s+for\s+you|sound\s+(?:ok|okay|good|right|"
    r"fair)|cover\s+(?:it|everything))\b"
    r"|\bis\s+(?:that|everything)\s+(?:ok|okay|alright|all\s+right|good)\s+(?:with|for)\s+you\b"
    r"|\bsatisfied\b|\bwhat\s+else\s+can\s+(?:i|we)\b|\banything\s+(?:i've|i\s+have)\s+missed\b"
)
_HE = re.compile(
    r"(?:^|\s)(?:יש\s+)?עוד\s+(?:משהו|דבר)(?=\s|$)|(?:^|\s)(?:הכל|הכול)\s+(?:בסדר|טוב|מסודר|ברור)(?=\s|$)"
    r"|(?:^|\s)(?:זה|ככה\s+זה|ככה)\s+(?:בסדר|טוב|מתאים|נשמע\s+טוב|מרגיש\s+בסדר)\s+(?:לך|לכם|"
    r"מבחינתך|מבחינתכם)(?=\s|$)"
    r"|(?:^|\s)איך\s+(?:זה|הכל|הכול)\s+(?:נשמע|מרגיש)(?=\s|$)"
    # ("ממה את לא מרוצה?" asks for the reason for leaving)
    r"|(?<!ממה)(?:^|\s)(?:את|אתה|אתם)\s+(?!לא\s)(?:\S+\s+)?(?:מרוצה|מרוצים|מרוצות)(?=\s|$)"
    r"|(?:^|\s)משהו\s+(?:נוסף|שמציק|שמפריע|שלא\s+סגור)(?=\s|$)"
)


def checks_satisfaction(text: str) -> str | None:
    """The words of a question asking after anything else or the customer being all right with
    it, or None."""
    for sentence in split_at_stops(text):
        if not sentence.rstrip().endswith("?"):
            continue
        s = normalize(sentence)
        m = _EN.search(s) or _HE.search(s)
        if m:
            return m.group(0).strip()
    return None
