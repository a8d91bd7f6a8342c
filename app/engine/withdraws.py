"""The customer calling off their own cancellation, told by its grammar: a decision to stay,
whether or not it answers an offer, and however long after one it comes.

- English: "take the cancellation off", "withdraw my cancellation request", "cancel the
  cancellation", "forget the cancellation", "scrap the notice", "don't put the cancellation
  through", "leave the account open";
- Hebrew: "תוריד את הבקשה שלי לסגירה", "תבטלי את הביטול", "תשכח מהביטול", "אל תבטלי",
  "תעצרי את הניתוק", "תשאירי את החשבון פתוח".

`withdraws_cancellation(text)` returns the words that decided it, or None. A sentence that asks
("can I withdraw it later?") or sets a condition ("if I take the cancellation off, …") withdraws
nothing, and neither does one that is negated ("I'm not withdrawing anything").
"""

from __future__ import annotations

import re

from app.rubrics.text import split_at_stops

_EN_REQUEST = (
    r"(?:my\s+|the\s+|that\s+|this\s+)?(?:cancellation|cancelation|notice(?!\s+period))"
    r"(?:\s+request)?"
)
_EN = re.compile(
    # "take the cancellation off", "withdraw my cancellation (request)", "scrap the notice"
    rf"\b(?:withdraw|drop|scrap|forget(?:\s+about)?|cancel|stop|pull|undo|reverse|bin|ditch)\s+"
    rf"{_EN_REQUEST}\b"
    rf"|\b(?:take|call)\s+{_EN_REQUEST}\s+off\b|\b(?:take|call)\s+off\s+{_EN_REQUEST}\b"
    rf"|\b(?:don't|do\s+not)\s+(?:put\s+{_EN_REQUEST}\s+through|go\s+ahead\s+with\s+{_EN_REQUEST}"
    r"|cancel(?:\s+(?:it|me|the\s+account|my\s+account))?(?=[\s,.!]|$)|close\s+(?:it|the\s+account|"
    r"my\s+account))"
    r"|\b(?:leave|keep)\s+(?:the|my)\s+(?:account|membership|subscription|policy|line|plan)\s+"
    r"(?:open|active|running|going|on)\b",
    re.IGNORECASE,
)
_HE_REQUEST = r"(?:את\s+)?(?:הבקשה(?:\s+שלי)?(?:\s+ל[^\s,.!?]+)?|הביטול|הניתוק|הסגירה|ההודעה)"
_HE = re.compile(
    # "תוריד את הבקשה שלי לסגירה", "תבטלי את הביטול", "תעצרי את הניתוק"
    rf"(?:^|\s)(?:תוריד|תורידי|תורידו|תבטל|תבטלי|תבטלו|תעצור|תעצרי|תעצרו|תמחק|תמחקי|תמחקו)\s+"
    rf"(?:לי\s+)?{_HE_REQUEST}(?=[\s,.!]|$)"
    r"|(?:^|\s)(?:תשכח|תשכחי|תשכחו)\s+(?:מה)?(?:ביטול|בקשה|ניתוק|סגירה)(?=[\s,.!]|$)"
    r"|(?:^|\s)אל\s+(?:תבטל|תבטלי|תבטלו|תסגור|תסגרי|תסגרו|תנתק|תנתקי|תנתקו)(?=[\s,.!]|$)"
    r"|(?:^|\s)(?:תשאיר|תשאירי|תשאירו)\s+(?:לי\s+)?(?:את\s+)?(?:החשבון|המנוי|המינוי|הפוליסה|הקו|"
    r"המסלול)\s+(?:פתוח|פתוחה|פעיל|פעילה|כמו\s+שהוא|כמו\s+שהיא)(?=[\s,.!]|$)",
)
# A tag that makes a statement a question only in form: "…, okay?", "…, בסדר?"
_TAG = re.compile(
    r",?\s*(?:okay|ok|alright|all\s+right|please|בסדר|טוב|נכון|כן|אוקיי|סבבה)\s*\?\s*$",
    re.IGNORECASE,
)
# A sentence that sets a condition or says no to it.
_NOT_A_DECISION = re.compile(
    r"(?<!even )\b(?:if|unless|when|whether|not|never)\b|n't\s+(?:want|think|withdraw|drop)\b"
    r"|(?:^|\s)(?<!גם )(?:ו?אם|במידה|בתנאי|לא\s+(?:רוצה|מתכוון|מתכוונת|מוריד|מורידה|מבטל|מבטלת))"
    r"(?=\s)",
    re.IGNORECASE,
)


def withdraws_cancellation(text: str) -> str | None:
    """The words of a sentence that calls the cancellation off, or None."""
    for s in split_at_stops(text):
        if _TAG.sub("", s).rstrip().endswith("?"):
            continue
        m = _EN.search(s) or _HE.search(s)
        if m is None:
            continue
        # "don't cancel" is itself a negation: only the words before it are read for one
        before = s[: m.start()]
        if _NOT_A_DECISION.search(before):
            continue
        return m.group(0).strip()
    return None
