"""The customer calling off their own cancellation, or the company carrying it out, told by
their grammar. Calling it off is a decision to stay, whether or not it answers an offer, and
however long after one it comes; carrying it out (`cancellation_done`, below) is the departure.

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
QUESTION_TAG = re.compile(
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
        if QUESTION_TAG.sub("", s).rstrip().endswith("?"):
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


# The company telling the customer the cancellation is carried out: "your membership is now
# cancelled", "the cancellation has been processed", "I've closed the account", "המנוי מבוטל
# מסוף החודש", "סגרתי לך את החשבון", "הביטול נקלט". A plan cancelled to make way for another
# ("your old plan is cancelled and the new one starts Monday") is a change of plan, not a
# departure; "it isn't cancelled yet" carries out nothing.
_EN_THING = (
    r"(?:account|subscription|membership|policy|contract|service|line|plan|deliveries|lessons|"
    r"booking|agreement|direct\s+debit|retainer|cover)"
)
_EN_DONE = re.compile(
    rf"\b(?:your|the)\s+(?:\w+\s+)?{_EN_THING}\s+(?:is|has\s+been|'s\s+been|will\s+be|is\s+now)\s+"
    r"(?:now\s+|officially\s+|all\s+)?(?:cancelled|canceled|closed|terminated|ended|stopped)\b"
    # "it's cancelled from the end of the month" (a bare "it's cancelled" may be a charge)
    r"|\b(?:it's|it\s+is|that's|that\s+is)\s+(?:now\s+|all\s+)?(?:cancelled|canceled|closed)\s+"
    r"(?:from|as\s+of|at\s+the\s+end|effective|today|at\s+midnight|on\s+the)\b"
    r"|\b(?:you're|you\s+are)\s+(?:now\s+|all\s+)?(?:cancelled|canceled)\b"
    r"|\b(?:the|your)\s+cancell?ation\s+(?:is|has\s+been|'s\s+been)\s+(?:now\s+)?(?:processed|done|"
    r"confirmed|put\s+through|submitted|complete|completed|booked\s+in|through)\b"
    rf"|\bi(?:'ve|\s+have)\s+(?:now\s+|just\s+)?(?:cancelled|canceled|closed|terminated|stopped|ended)\s+"
    rf"(?:your|the)\s+(?:\w+\s+)?{_EN_THING}\b"
    # carrying it out as the rep speaks: "so I'm cancelling it now, effective today", "I'll close
    # the account for you today"
    rf"|\bi(?:'m|\s+am|'ll|\s+will)\s+(?:now\s+|just\s+)?(?:cancell?(?:ing)?|clos(?:e|ing)|"
    rf"terminat(?:e|ing)|stop(?:ping)?|end(?:ing)?)\s+(?:it|that|this|(?:your|the)\s+(?:\w+\s+)?"
    rf"{_EN_THING})\s+(?:for\s+you\s+)?(?:now|today|right\s+now|right\s+away|effective|as\s+of|"
    r"from\s+(?:today|the\s+end))\b",
    re.IGNORECASE,
)
_HE_THING = r"(?:המנוי|המינוי|החשבון|הפוליסה|החוזה|הקו|המסלול|ההסכם|ההוראת\s+קבע|השיעורים|המשלוחים)"
_HE_DONE = re.compile(
    rf"(?:^|\s){_HE_THING}(?:\s+שלך|\s+שלכם)?\s+(?:כבר\s+|עכשיו\s+)?(?:מבוטל|מבוטלת|מבוטלים|"
    r"סגור|סגורה|בוטל|בוטלה|נסגר|נסגרה|יבוטל|תבוטל|ייסגר|תיסגר|מסתיים|מסתיימת)(?=[\s,.!]|$)"
    # "זה מבוטל מסוף החודש" (a bare "זה מבוטל" may be a charge)
    r"|(?:^|\s)זה\s+(?:כבר\s+)?(?:מבוטל|בוטל|סגור|נסגר)\s+(?:מ\S+|החל\s+מ\S+|בסוף|היום)(?=[\s,.!]|$)"
    rf"|(?:^|\s)(?:ביטלתי|סגרתי|הפסקתי|עצרתי)\s+(?:לך\s+|לכם\s+)?(?:את\s+)?{_HE_THING}(?=[\s,.!]|$)"
    r"|(?:^|\s)הביטול\s+(?:שלך\s+)?(?:בוצע|נקלט|עבר|אושר|הושלם|רשום)(?=[\s,.!]|$)"
    # "אני מבטלת לך את זה עכשיו", "אני סוגר את החשבון כבר היום"
    rf"|(?:^|\s)(?:אני\s+)?(?:מבטל|מבטלת|סוגר|סוגרת)\s+(?:לך\s+|לכם\s+)?(?:את\s+)?(?:זה|{_HE_THING})"
    r"\s+(?:כבר\s+)?(?:עכשיו|היום|מהיום|ממש\s+עכשיו)(?=[\s,.!]|$)"
    rf"|(?:^|\s)(?:אני\s+)?(?:מבטל|מבטלת|סוגר|סוגרת)\s+(?:לך\s+|לכם\s+)?(?:כבר\s+)?(?:עכשיו|היום|מהיום)"
    rf"\s+(?:את\s+)?{_HE_THING}(?=[\s,.!]|$)"
)
# Bare, at the end of the rep's sentence: "טוב, אני מבטל.", "זהו, מבוטל.", "Done, cancelled." - the
# cancellation, unless the utterance is about a charge ("The double charge? Done, cancelled.").
_BARE_DONE = re.compile(
    r"(?:^|\s)אני\s+(?:מבטל|מבטלת)(?:\s+לך|\s+לכם)?\s*[.!]?\s*$"
    r"|(?:^|\s)זהו\s*,?\s*(?:מבוטל|בוטל|סגור|נסגר)\s*[.!]?\s*$"
    r"|\b(?:done|that's\s+it|all\s+done)\s*[,.]?\s+(?:it's\s+|that's\s+)?(?:cancelled|canceled|closed)"
    r"\s*[.!]?\s*$",
    re.IGNORECASE,
)
_CHARGE = re.compile(
    r"\b(?:charges?|fees?|payments?|debits?|invoices?|bills?)\b"
    r"|(?:^|\s)ה?(?:חיוב|חיובים|תשלום|עמלה|חשבונית)(?=[\s,.!?]|$)",
    re.IGNORECASE,
)
# A change of plan, not a departure.
_REPLACED = re.compile(
    r"\b(?:new|instead|switch(?:ed)?\s+you|moved\s+you|the\s+other\s+plan|downgrade|upgrade)\b"
    r"|(?:^|\s)(?:החדש|החדשה|במקום|העברתי\s+אותך|עברת)(?=[\s,.!?]|$)",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|isn't|hasn't|won't|never)\b|(?:^|\s)(?:לא|עוד\s+לא)(?=\s)", re.IGNORECASE
)


def cancellation_done(text: str) -> str | None:
    """The words of the company's sentence telling the cancellation is carried out, or None."""
    if _REPLACED.search(text):
        return None
    charge = False  # a charge said so far in the utterance
    for s in split_at_stops(text):
        charge = charge or bool(_CHARGE.search(s))
        if s.rstrip().endswith("?"):
            continue
        m = _EN_DONE.search(s) or _HE_DONE.search(s)
        if m is None and not charge:
            m = _BARE_DONE.search(s)
        if m is None or _NEGATED.search(s[: m.end()]):
            continue
        return m.group(0).strip()
    return None
