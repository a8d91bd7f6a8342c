"""A promise to check, told by its grammar rather than by a list of whole phrases (002, 003).

"Someone from our billing team will look into whether there's any flexibility", "I'll make sure
somebody checks why it came in so low", "נבדוק את זה ונחזור אלייך": a speaker, the future, and
a verb of checking or getting back. Phrase lists name a few of these wordings; the grammar takes
any subject, any words between, and either tense of the commitment ("I'll", "we're going to"),
and in Hebrew the future forms of the verbs (first person singular and plural, third person).

What is checked right now, on the line ("let me check", "one moment, I'll look", "רגע, אני
אבדוק"), is not a promise: it happens while the customer waits.
"""

from __future__ import annotations

import re

from app.rubrics.text import split_sentences

# Who takes it on: the speaker, the company, or someone unnamed of it ("someone from our team").
_EN_SUBJECT = (
    r"(?:i|we|someone|somebody|they|(?:the|our|a|my)\s+(?:\w+\s+){0,2}"
    r"(?:team|department|desk|manager|supervisor|specialist|colleague|people|office|engineers?))"
)
_EN_FUTURE = r"(?:'ll|\s+will|\s+(?:am|is|are)\s+going\s+to|'(?:m|re|s)\s+going\s+to)"
_EN_CHECK = (
    r"(?:check|look\s+into|looks\s+into|look\s+at|have\s+a\s+look|take\s+a\s+look|find\s+out|"
    r"get\s+back|come\s+back\s+to\s+you|follow\s+up|sort\s+(?:it|this|that)\s+out|investigate|"
    r"review|escalate|raise|flag|chase|see\s+(?:what|if|whether|why|how)|make\s+sure|"
    r"dig\s+into|figure\s+out|work\s+out|pass\s+(?:it|this|that)\s+on|pass\s+(?:it|this|that)\s+"
    r"along|forward|get\s+(?:someone|somebody)\s+to)"
)
_EN_PROMISE = re.compile(
    rf"(?:^|[\s,.;!?]){_EN_SUBJECT}(?:\s+(?:from|in|on|at)\s+(?:\w+\s+){{0,3}}?\w+)?"
    rf"{_EN_FUTURE}\s+(?:\w+\s+){{0,2}}?{_EN_CHECK}\b",
    re.IGNORECASE,
)
# The Hebrew future of checking, finding out, looking, handling, seeing to it and getting back:
# first person (א, נ) and third (י, plural with ו); a ו or ש may lead ("ונחזור", "שיבדקו").
# The second person (ת) is left out: "אם תחזור" is the customer coming back, not a promise.
_HE_STEMS = (
    "בדוק",
    "בדקו",
    "ברר",
    "בררו",
    "חזור",
    "חזרו",
    "טפל",
    "טפלו",
    "דאג",
    "דאגו",
    "סתכל",
    "סתכלו",
    "עבור על",
    "עברו על",
)
_HE_PROMISE = re.compile(
    rf"(?:^|[\s,.;!?])[וש]?[אני](?:{'|'.join(_HE_STEMS)})(?=[\s,.;!?]|$)",
)
# Checked now, while the customer waits.
_ON_THE_LINE = re.compile(
    r"\b(?:let me|right now|right away|now|one moment|a moment|one sec(?:ond)?|a sec(?:ond)?|"
    r"bear with me|while you(?:'re| are) on the line)\b|(?:^|[\s,.])(?:רגע|עכשיו|כרגע|תן לי|תני לי)"
    r"(?=[\s,.!?]|$)",
    re.IGNORECASE,
)


def promises_to_check(text: str) -> bool:
    """Does the utterance promise that the company will check on or get back about something
    later (with or without saying who and when)?"""
    if not (_EN_PROMISE.search(text) or _HE_PROMISE.search(text)):
        return False
    return _ON_THE_LINE.search(text) is None


# When it will happen, in any of the ways a rep names a time: a day, a part of a day, an hour, a
# date, a span from now.
_EN_NUMBER = (
    r"(?:\d{1,2}(?::\d\d)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"half past \w+|quarter (?:past|to) \w+)"
)
_EN_ORDINAL = (
    r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
    r"nineteenth|twentieth|twenty-\w+|thirtieth|thirty-first)"
)
_EN_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
)
_EN_TIME = re.compile(
    r"\b(?:today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"weekend|noon|midday|lunchtime|o'clock|"
    r"(?:this|next|later this|first thing)\s+(?:week|month|morning|afternoon|evening)|"
    r"end of (?:the )?(?:day|week|month)|close of business|"
    rf"(?:by|before|at|after|until|around)\s+{_EN_NUMBER}(?:\s*(?:am|pm|a\.m\.|p\.m\.|thirty))?|"
    rf"{_EN_NUMBER}\s*(?:am|pm|a\.m\.|p\.m\.)|"
    rf"(?:on|by|before|from) the {_EN_ORDINAL}|{_EN_MONTH}\s+{_EN_ORDINAL}|"
    rf"{_EN_ORDINAL} of {_EN_MONTH}|"
    r"(?:in|within)\s+(?:the next\s+)?(?:a|an|a couple of|a few|\d+|two|three|four|five|six|"
    r"seven|ten|twenty|thirty|forty-eight|twenty-four)\s+(?:minutes?|hours?|days?|weeks?|"
    r"business days?|working days?))\b",
    re.IGNORECASE,
)
_HE_HOURS = (
    "אחת|שתיים|שתים|שלוש|ארבע|חמש|שש|שבע|שמונה|תשע|עשר|אחת עשרה|שתים עשרה|\\d{1,2}(?::\\d\\d)?"
)
_HE_TIME = re.compile(
    r"(?:^|[\s,.;!?])[וש]?(?:"
    r"היום|הערב|מחר|מחרתיים|השבוע|בשבוע הבא|בחודש הבא|בסוף (?:היום|השבוע|החודש)|"
    r"(?:ב|עד |לפני |אחרי )?יום (?:ראשון|שני|שלישי|רביעי|חמישי|שישי)|בשבת|במוצאי שבת|"
    r"בבוקר|בצהריים|אחר הצהריים|אחרי הצהריים|"
    rf"(?:ב|עד |לפני |אחרי |בסביבות )(?:השעה )?(?:{_HE_HOURS})(?= |$|[,.!?])|"
    r"(?:תוך|בעוד|בתוך)\s+(?:\S+\s+)?(?:דקות|שעות|ימים|שבועות|שעה|שעתיים|יומיים|שבועיים|"
    r"ימי עסקים|ימי עבודה)|"
    r"ב\S+ לחודש"
    r")(?=[\s,.;!?]|$)",
)


def names_a_time(text: str) -> bool:
    """Does the utterance say when (a day, an hour, a date, a span from now)?"""
    return bool(_EN_TIME.search(text) or _HE_TIME.search(text))


# The speaker taking on a step of their own: calling, writing, sending, booking, coming out.
_EN_STEP = re.compile(
    r"(?:^|[\s,.;!?])(?:i|we)(?:'ll|\s+will|'m going to|\s+am going to|'re going to|"
    r"\s+are going to)\s+(?:\w+\s+){0,2}?(?:call|ring|phone|email|e-mail|text|message|send|"
    r"post|book|schedule|come|visit|credit|refund|confirm|brief|bring|drop)\b",
    re.IGNORECASE,
)
_HE_STEP = re.compile(
    r"(?:^|[\s,.;!?])[וש]?(?:(?:אני|אנחנו)\s+(?:שולח|שולחת|שולחים|מתקשר|מתקשרת|מתקשרים|קובע|"
    r"קובעת|קובעים|מזמין|מזמינה|מזמינים|מעדכן|מעדכנת|מעדכנים)|"
    r"אשלח|נשלח|אתקשר|נתקשר|אקבע|נקבע|אזמין|נזמין|אעדכן|נעדכן|אחזיר|נחזיר|אזכה|נזכה|אגיע|נגיע)"
    r"(?=[\s,.;!?]|$)"
    # giving the money back, present tense: "ואני מחזירה לך עליהם כסף עד יום ראשון"
    r"|(?:^|[\s,.;!?])[וש]?(?:אני|אנחנו)\s+(?:מחזיר|מחזירה|מחזירים|מזכה|מזכים|מגיע|מגיעה|מגיעים)"
    r"(?=[\s,.;!?]|$)",
)


def takes_on_a_step(text: str) -> bool:
    """Does the speaker take on a step of their own, with the time it happens ("I'll email you
    the schedule before five today", "מחר עד שתיים אני שולחת לך אישור")?"""
    return bool(_EN_STEP.search(text) or _HE_STEP.search(text)) and names_a_time(text)


# An empty slogan as the commitment: care promised with no step, owner or time ("we'll always
# take care of you here, whatever you need", "everything's taken care of on our end",
# "אנחנו נדאג לך", "מה שתצטרכי").
_SLOGAN = re.compile(
    r"\b(?:we'll|we\s+will|we're\s+going\s+to)\s+(?:always\s+)?(?:take\s+(?:good\s+)?care\s+of\s+"
    r"(?:you|everything)|look\s+after\s+you|be\s+(?:here|there)\s+for\s+you|sort\s+(?:you|it\s+all)"
    r"\s+out)\b(?!\s+(?:\w+\s+){0,3}?(?:by|on|at|before|tomorrow|today|tonight|this|next)\b)"
    r"|\bwhatever\s+you\s+need\b|\beverything(?:'s|\s+is)\s+taken\s+care\s+of\b"
    r"|\b(?:don't|do\s+not)\s+(?:you\s+)?worry\s+about\s+(?:it|a\s+thing|anything)\b"
    r"|(?:^|\s)(?:אנחנו\s+)?נדאג\s+(?:לך|לכם|להכל|להכול)(?=[\s,.!?]|$)"
    r"|(?:^|\s)(?:מה|כל\s+מה)\s+שתצטרכ(?:י|ו)?(?=[\s,.!?]|$)"
    r"|(?:^|\s)אל\s+(?:תדאג|תדאגי|תדאגו)(?=[\s,.!?]|$)",
    re.IGNORECASE,
)


def makes_a_slogan(text: str) -> bool:
    """Does a sentence of the utterance promise care with no step, owner or time ("we'll always
    take care of you here, whatever you need")?"""
    return any(_SLOGAN.search(s) is not None and not names_a_time(s) for s in split_sentences(text))
