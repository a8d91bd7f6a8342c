"""An offer told by its grammar: a proposal put to the customer of an arrangement that costs
them less or suits them better, whatever the tool is called (source 001).

Reps rarely name the tool ("discount", "freeze", "downgrade"). They ask what the customer says to
another arrangement ("how about a lesson every other week instead of every week?", "מה את
אומרת על שיעור פעם בשבועיים במקום כל שבוע?") or put what they could do ("I could move you to
fortnightly", "אני יכולה להעביר אותך לפעם בחודש"), and say what the customer gains by it
("you'd pay half", "ואת משלמת חצי", "at no charge", "בלי תוספת").

`proposes(text)` returns the words that decided it (the evidence a trainer sees), or None: a
sentence of the proposal's shape, in an utterance that also names the customer's gain. A
question about the customer ("how about your son, does he still go?") gains them nothing; a
condition the customer must meet ("what if you paid the arrears first?") neither.
"""

from __future__ import annotations

import re

from app.rubrics.text import split_at_stops

# The proposal's frame: the customer asked what they say to something, or the rep's "I could".
_EN_FRAME = re.compile(
    r"\b(?:how\s+about|what\s+about|what\s+if\s+(?:i|we)|what\s+would\s+you\s+say\s+to|"
    r"how\s+would\s+you\s+feel\s+about|would\s+you\s+(?:consider|be\s+open\s+to|like\s+to\s+try|"
    r"rather)|i\s+could|we\s+could|i\s+can\s+(?:move|switch|put|change|drop|make)|"
    r"we\s+can\s+(?:move|switch|put|change|drop|make)|"
    # the rep committing to do it: "I'm going to waive the fee", "let me take two months off"
    r"(?:i'?m\s+(?:going\s+to|gonna)|i'?ll|we'?ll|i\s+want\s+to|i'?d\s+like\s+to|let\s+me|"
    r"i\s+can|we\s+can)\s+(?:just\s+)?(?:waive|credit|refund|take|knock|give|pause|freeze|"
    r"replace|swap|switch|move|upgrade|cover|match|throw|comp|drop))\s+\S+",
    re.IGNORECASE,
)
_HE_FRAME = re.compile(
    r"(?:^|\s)(?:מה\s+(?:את|אתה|אתם)\s+(?:אומרת|אומר|אומרים)\s+על|מה\s+דעתך\s+על|מה\s+דעתכם\s+על|"
    r"מה\s+(?:תגיד|תגידי|תגידו)\s+על|מה\s+אם\s+(?:אני|נ\S+|א\S+)|איך\s+(?:נשמע|זה\s+נשמע)\s+לך|"
    r"אני\s+(?:יכול|יכולה)\s+(?:להעביר|לשנות|להוריד|לעשות|לשים)|"
    # the rep committing to do it: "אני מזכה אותך", "אני רוצה להחליף לך", "בוא נעשה ככה"
    r"(?:אני\s+)?(?:רוצה|יכול|יכולה)\s+(?:להחליף|לזכות|להקפיא|לשדרג|לתת|להעביר|להוריד)|"
    r"אני\s+(?:מזכה|מעביר|מעבירה|מחליף|מחליפה|מוריד|מורידה|נותן|נותנת|מקפיא|מקפיאה|משדרג|"
    r"משדרגת)|(?:אזכה|אעביר|אחליף|אוריד|אתן|אקפיא|אשדרג|נזכה|נחליף|נקפיא|נשדרג|ניתן)|"
    r"יש\s+לי\s+רעיון|(?:בוא|בואי)\s+נעשה|יש\s+(?:אצלנו|לנו)\s+(?:מסלול|חבילה|אפשרות|תוכנית)|"
    r"(?:אנחנו\s+)?(?:יכולים|נוכל)\s+(?:להעביר|לשנות|להוריד|לעשות|לשים))\s+\S+"
)
# What the customer gains: paying less or nothing more, a lighter or different arrangement.
_EN_GAIN = re.compile(
    r"\b(?:instead\s+of|pay(?:ing)?\s+(?:half|less|nothing)|half\s+(?:the\s+)?(?:price|cost|fee)|"
    r"(?:at\s+)?no\s+(?:extra\s+)?(?:charge|cost|fee)|for\s+free|free\s+of\s+charge|"
    r"(?:\d+|ten|twenty|thirty|fifty)\s*(?:%|percent)\s+off|cheaper|costs?\s+less|only\s+pay|"
    r"save\s+(?:you\s+)?(?:\S+\s+){0,2}?(?:a\s+month|a\s+year|money)|"
    r"every\s+other\s+(?:week|month)|fortnightly|once\s+a\s+(?:month|fortnight)|"
    r"waive\S*|on\s+us|on\s+the\s+house|(?:a|one|two|three|\d+)\s+(?:\w+\s+)?(?:months?|weeks?)\s+free|"
    r"off\s+(?:your|the)\s+(?:bill|invoice|account|next)|(?:a\s+)?(?:credit|refund)\s+(?:of|for|on)|"
    r"until\s+you'?re\s+back|same\s+price)\b",
    re.IGNORECASE,
)
_HE_GAIN = re.compile(
    r"(?:^|\s)(?:במקום|משלמת\s+חצי|משלם\s+חצי|תשלמי\s+חצי|תשלם\s+חצי|(?:ה)?תשלום\s+יורד|"
    r"(?:תשלם|תשלמי|תשלמו)\s+רק|"
    r"בחינם|חינם|יותר\s+זול|(?:ב)?חצי\s+מחיר|"
    r"פעם\s+בשבועיים|פעם\s+בחודש|אחוז\s+הנחה|\d+\s*%|"
    r"מזכה|זיכוי|עלינו|על\s+חשבוננו|בלי\s+(?:שום\s+)?(?:תוספת|דמי|עלות|תשלום|חיוב)|"
    r"ללא\s+(?:עלות|תשלום|תוספת)|יוצא\s+(?:לך\s+|לכם\s+)?(?:חצי|פחות|זול)|רק\s+על\s+מה\s+ש\S+|"
    r"(?:חודש|חודשיים)\s+(?:מלא|חינם)|בחשבון\s+הבא|מהחשבון|הנחה|אותו\s+מחיר)(?=[\s,.!?]|$)"
)
# A question about the customer, not an arrangement: "how about your son?", "מה אם הוא …"
_ABOUT_THEM = re.compile(
    r"\b(?:how|what)\s+about\s+(?:you|your|him|her|them|the\s+(?:time|date|day))\b"
    r"|(?:^|\s)מה\s+(?:את|אתה)\s+(?:אומרת|אומר)\s+על\s+(?:זה|ה?שעה|ה?יום)(?=[\s,.!?]|$)",
    re.IGNORECASE,
)


def proposes(text: str) -> str | None:
    """The words of the sentence that proposes an arrangement to the customer, when the
    utterance also names what they gain by it; None otherwise."""
    if not (_EN_GAIN.search(text) or _HE_GAIN.search(text)):
        return None
    for sentence in split_at_stops(text):
        if _ABOUT_THEM.search(sentence):
            continue
        m = _EN_FRAME.search(sentence) or _HE_FRAME.search(sentence)
        if m is not None:
            return sentence.strip()
    return None
