"""Reaching the reason for leaving, told by its grammar rather than by a list of whole phrases
(source 001).

An open question about the cause ("what's prompted it?", "what's happened?", "מה גרם לזה?"), a
guess put as a question ("is it the Saturday slot?", "זה בגלל המחיר?"), or a restatement of what
the customer said, announced ("I just want to make sure I've got it all", "אם אני מסכמת") or
checked at its end ("…, is that fair?", "…, נכון?").

Each function returns the words that decided it (the evidence a trainer sees), or None.
"""

from __future__ import annotations

import re

from app.rubrics.text import normalize, split_at_stops


def _questions(text: str) -> list[str]:
    """The sentences of `text` put as questions, normalised."""
    return [normalize(s) for s in split_at_stops(text) if s.rstrip().endswith("?")]


# What brought it on: an open wh-question about the cause, wherever it stands.
_EN_CAUSE = re.compile(
    r"\bwhat(?:'s|\s+has|\s+had|\s+is|\s+was)?\s+(?:been\s+|really\s+|actually\s+|finally\s+)?"
    r"(?:prompted|prompting|made|making|brought|bringing|led|leading|caused|causing|triggered|"
    r"driving|driven|pushing|pushed|changed|changing|happened|happening|going\s+on|behind|"
    r"gone\s+wrong|tipped)\b"
)
_HE_CAUSE = re.compile(
    r"(?:^|\s)(?:ו|אז\s+)?מה\s+(?:בעצם\s+|בסוף\s+|בדיוק\s+|באמת\s+)?(?:גרם|גורם|הביא|מביא|הוביל|"
    r"מוביל|השתנה|קרה|קורה|הפריע|מפריע|דחף|דוחף|הכריע|עומד\s+מאחורי|שבר|לא\s+עבד|לא\s+עובד)"
    r"(?=\s|$)"
)
# A question about the reason: why, or a guess at it ("is it the price?", "has something at
# the club put him off?").
_EN_ASKS_WHY = re.compile(
    r"\bwhy\b(?!\s+(?:don't|not|wouldn't)\b)"
    r"|\b(?:is|was)\s+it\s+(?:mainly\s+|mostly\s+|just\s+|only\s+|more\s+|really\s+)?(?:the|because|"
    r"about|to\s+do\s+with|something|that|your|his|her|their)\b"
    r"|\b(?:is|was)\s+it\s+(?:something|anything)\s+(?:we|i|they|someone)\s+(?:did|said|didn't\s+do)\b"
    r"|\b(?:has|did|is|was)\s+(?:something|anything|someone|anyone)\s+(?:\S+\s+){0,4}?"
    r"(?:put\s+\w+\s+off|bother\w*|gone\s+wrong|happened|changed|upset\w*|annoy\w*|frustrat\w*|"
    r"disappoint\w*|let\s+\w+\s+down)\b"
)
_HE_ASKS_WHY = re.compile(
    r"(?:^|\s)(?:ו)?למה(?=\s|$)(?!\s+(?:שלא|לא\s+ננסה))"
    r"|(?:^|\s)(?:ו|ה)?(?:זה|האם\s+זה)\s+(?:בעיקר\s+)?(?:בגלל|בקשר\s+ל|קשור\s+ל|מהסיבה)"
    r"|(?:^|\s)(?:ו)?משהו\s+(?:\S+\s+){0,4}?(?:הפריע|הרגיז|השתנה|קרה|אכזב|לא\s+עבד|לא\s+היה\s+בסדר)"
    r"(?=\s|$)"
    # "זה משהו שעשינו?", "was it something we did?" (the English is `something … did`)
    r"|(?:^|\s)(?:זה|האם\s+זה|היה)\s+(?:\S+\s+)?משהו\s+ש(?:עשינו|עשיתם|אמרנו|אמרתם|עשה|עשתה)(?=\s|$)"
)


def asks_the_reason(text: str) -> str | None:
    """The words of a question about what is behind the decision, or None."""
    for q in _questions(text):
        m = (
            _EN_CAUSE.search(q)
            or _HE_CAUSE.search(q)
            or _EN_ASKS_WHY.search(q)
            or _HE_ASKS_WHY.search(q)
        )
        if m:
            return m.group(0).strip()
    return None


# Announcing a restatement: "just to make sure I've got it all", "to recap", "אם אני מסכמת".
_EN_ANNOUNCED = re.compile(
    r"\b(?:make\s+sure|check|see\s+if|be\s+sure|confirm)\s+(?:that\s+)?i(?:'ve|\s+have)?\s+"
    r"(?:heard|got|understood|understand|followed|caught|get)\b"
    r"|\b(?:to\s+sum\s+up|to\s+recap|let\s+me\s+sum|if\s+i\s+sum|summing\s+up|to\s+summari[sz]e|"
    r"let\s+me\s+summari[sz]e|let\s+me\s+recap|if\s+i\s+recap|let\s+me\s+repeat\s+back|"
    r"play\s+(?:it|that|this)\s+back)\b"
    # (what comes next is not the customer's reason: "to recap the next steps")
    r"(?!\s+(?:\S+\s+)?(?:next\s+steps?|what\s+happens\s+next|what\s+we\s+agreed|the\s+plan))"
)
_HE_ANNOUNCED = re.compile(
    r"(?:^|\s)לוודא\s+ש(?:הבנתי|שמעתי|אני\s+מבין|אני\s+מבינה|קלטתי|הכול\s+אצלי)"
    r"|(?:^|\s)(?:אם|רק\s+כדי\s+ש|כדי\s+ש)(?:הבנתי|שמעתי)\s+(?:נכון|טוב|הכול|את\s+הכול)"
    r"|(?:^|\s)(?:אז\s+)?(?:אם\s+אני\s+מסכם|אם\s+אני\s+מסכמת|אם\s+לסכם|רק\s+לסכם|אני\s+אסכם|"
    r"בוא\s+נסכם|בואי\s+נסכם|תן\s+לי\s+לסכם|תני\s+לי\s+לסכם|לסיכום)(?=\s|$)"
)
# Checking a summary at its end: "…, is that fair?", "…, נכון?". Only after a summary long
# enough to be one, so a check of a single fact ("you're on the full cover, right?") is not.
_EN_CHECKED = re.compile(
    r"\b(?:is\s+that\s+(?:right|fair|it|correct|about\s+right|a\s+fair\s+summary)|"
    r"have\s+i\s+got\s+that\s+right|did\s+i\s+get\s+that\s+right|does\s+that\s+sound\s+right|"
    r"is\s+that\s+where\s+you\s+are|am\s+i\s+right)\s*$"
)
_HE_CHECKED = re.compile(
    r"(?:^|\s)(?:נכון|זה\s+נכון|הבנתי\s+נכון|זה\s+העניין|זה\s+מה\s+שקרה|זה\s+המצב|"
    r"זה\s+פחות\s+או\s+יותר\s+המצב|אני\s+צודק|אני\s+צודקת)\s*$"
)
_SUMMARY_WORDS = 14
# Reflecting what the customer said back to them: "so basically you're paying for four washes
# and using half", "so you've been running both side by side", "אז בעצם אתה משלם על ארבע
# שטיפות". What they would get ("so you'd pay half", "אז תשלם חצי") is an offer, not this.
_EN_REFLECTED = re.compile(
    # ("just so you have the full picture" is a purpose, not a reflection)
    r"^(?:\S+\s+){0,3}?(?<!just\s)(?<!even\s)so\s+(?:basically\s+|really\s+|in\s+other\s+words\s+|"
    r"essentially\s+)?(?:you're|you\s+are|you've\s+been|you\s+have\s+been|you\s+were|"
    r"you\s+(?:\w+ed|said|told|mentioned|feel|felt|think|thought|mean|meant|want|need|pay|use|"
    r"got|had)\b|it's\s+(?:really|mainly|mostly|more|not)|"
    r"(?:he's|she's|they're)\s+(?:just\s+)?(?:not|been|only))"
)
_HE_REFLECTED = re.compile(
    r"^(?:\S+\s+){0,3}?אז\s+(?:בעצם|למעשה|בקיצור|כלומר)\s+(?:את|אתה|אתם|זה|הוא|היא)\s+(?!ת)\S+"
)


def restates(text: str) -> str | None:
    """The words that announce, reflect or check a restatement of what the customer said, or
    None."""
    s = normalize(text)
    m = _EN_ANNOUNCED.search(s) or _HE_ANNOUNCED.search(s)
    if m:
        return m.group(0).strip()
    for sentence in split_at_stops(text):
        n = normalize(sentence)
        m = _EN_REFLECTED.search(n) or _HE_REFLECTED.search(n)
        if m:
            return m.group(0).strip()
    if len(s.split()) < _SUMMARY_WORDS:
        return None
    for q in _questions(text):
        m = _EN_CHECKED.search(q) or _HE_CHECKED.search(q)
        if m:
            return m.group(0).strip()
    return None
