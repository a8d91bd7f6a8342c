"""Saying plainly that the company wants the customer to stay, told by its grammar (source 003).

"We really want you to keep riding with us", "I don't want to lose your family over this", "חשוב
לי באמת שנועה תמשיך איתנו", "חשוב לנו מאוד שתישארי איתנו": the speaker, wanting (or not wanting
to lose), and the customer staying, with any words between.

`asks_to_stay` returns the words that decided it, or None.
"""

from __future__ import annotations

import re

from app.rubrics.text import normalize

_EN = re.compile(
    r"\b(?:i|we)\s+(?:really\s+|honestly\s+|genuinely\s+|truly\s+|do\s+|just\s+)*(?:want|'d\s+like|"
    r"would\s+like|'d\s+love|would\s+love|hope)\s+(?:you|your\s+\w+|you\s+all|him|her|them)\s+to\s+"
    r"(?:stay|keep|continue|remain|stick|carry\s+on)\b"
    r"|\b(?:i|we)\s+(?:really\s+|honestly\s+|genuinely\s+)*(?:don't|do\s+not)\s+want\s+to\s+lose\s+"
    r"(?:you|your)\b"
    r"|\b(?:we'd|we\s+would|i'd|i\s+would)\s+(?:really\s+|genuinely\s+|honestly\s+)*(?:hate|be\s+sorry|"
    r"be\s+sad)\s+to\s+(?:lose|see\s+you\s+go)\b"
    r"|\b(?:we'd|we\s+would|i'd|i\s+would)\s+(?:really\s+|genuinely\s+)*(?:love|like)\s+to\s+keep\s+"
    r"(?:you|your)\b"
    r"|\bit\s+matters\s+to\s+(?:me|us)\s+(?:\w+\s+){0,2}?that\s+you\s+(?:stay|don't\s+leave|keep)\b"
    # asking it: "is there any way I can convince you to stay?", "anything I can do to keep you?"
    r"|\b(?:convince|persuade)\s+you\s+(?:to\s+stay|to\s+keep|not\s+to\s+(?:leave|cancel|go))\b"
    r"|\btalk\s+you\s+(?:into\s+staying|out\s+of\s+(?:leaving|cancelling|canceling|it))\b"
    r"|\b(?:can|could)\s+(?:do|offer)\s+(?:\w+\s+){0,3}?to\s+keep\s+you\b"
    r"(?!\s+(?:updated|informed|posted|waiting|on\s+hold|in\s+the\s+loop))"
)
_STAY = (
    r"(?:תישאר|תישארי|תישארו|תמשיך|תמשיכי|תמשיכו|ימשיך|ימשיכו|יישאר|יישארו|תהיה\s+איתנו|"
    r"תהיי\s+איתנו)"
)
_HE = re.compile(
    rf"(?:^|\s)(?:אני|אנחנו)\s+(?:מאוד\s+|באמת\s+|ממש\s+)*(?:רוצה|רוצים|רוצות)\s+ש{_STAY}(?=\s|$)"
    rf"|(?:^|\s)[וש]?חשוב\s+(?:לי|לנו)(?:\s+\S+){{0,3}}?\s+ש(?:{_STAY}|\S+(?:\s+\S+){{0,2}}?\s+{_STAY})(?=\s|$)"
    r"|(?:^|\s)(?:רוצה|רוצים|רוצות)\s+לאבד\s+אות(?:ך|כם|כן)(?=\s|$)"
    r"|(?:^|\s)(?:חבל|יהיה\s+חבל)\s+(?:לי|לנו)\s+(?:מאוד\s+)?לאבד\s+אות(?:ך|כם|כן)(?=\s|$)"
    # "חבל לי לראות אותך הולך", "יש דרך שאשכנע אותך להישאר?", "מה אני יכולה לעשות כדי לשמור אותך?"
    r"|(?:^|\s)(?:חבל|יהיה\s+חבל)\s+(?:לי|לנו)\s+(?:\S+\s+)?לראות\s+אות(?:ך|כם|כן)\s+(?:הולך|הולכת|"
    r"הולכים|עוזב|עוזבת|עוזבים)(?=\s|$)"
    r"|(?:^|\s)[וש]?(?:לשכנע|אשכנע|נשכנע|אצליח\s+לשכנע)\s+אות(?:ך|כם|כן)\s+(?:להישאר|לא\s+לעזוב|לא\s+לבטל)"
    r"(?=\s|$)"
    r"|(?:^|\s)כדי\s+(?:לשמור|להשאיר)\s+אות(?:ך|כם|כן)(?:\s+איתנו)?(?=\s|$)"
    r"(?!\s+(?:מעודכן|מעודכנת|מעודכנים|בעניינים|בתמונה|על\s+הקו|בהמתנה))"
)


def asks_to_stay(text: str) -> str | None:
    """The words in which the speaker says they want the customer to stay, or None."""
    s = normalize(text)
    m = _EN.search(s) or _HE.search(s)
    return m.group(0).strip() if m else None
