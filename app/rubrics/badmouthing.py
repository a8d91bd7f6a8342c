"""Running down a colleague or another team, told by its grammar (source 003).

It is said as a confidence or as a verdict on someone: "between you and me, billing isn't
exactly famous for getting things right", "the claims desk for your region has been in a state
for months", "ובינינו, הפקידה שטיפלה בתיק שלך היא לא הכי חזקה", "שלומי, שהיה מגיע אלייך, היה
חלש". The grammar takes a confidential aside, or someone of the company as the subject, with a
judgement against them. Owning the failure as the company's ("we dropped the ball", "זה עלינו")
is not running anyone down.

`runs_down` returns the words that decided it, or None.
"""

from __future__ import annotations

import re

from app.rubrics.text import normalize, split_sentences

_EN_ASIDE = re.compile(
    r"\b(?:between\s+(?:you\s+and\s+me|us|ourselves)|off\s+the\s+record|frankly|strictly\s+speaking)\b"
)
_EN_SOMEONE = re.compile(
    r"\b(?:whoever|the\s+(?:\w+\s+)?(?:team|desk|department|shift|branch|depot|guys|guy|people|"
    r"lot|office|rep|agent|"
    r"technician|tech|engineer|driver|installer|handler|fitter|walker|courier|queue)|sales|billing|"
    r"support|claims|accounts|dispatch|my\s+colleagues?|the\s+previous\s+\w+|the\s+last\s+\w+|"
    r"(?:my|our|the|some\s+of\s+(?:my|our|the))\s+(?:\w+\s+)?(?:colleagues|installers|technicians|"
    r"engineers|drivers|couriers|reps|agents|staff|fitters|handlers|advisers|advisors)|"
    r"some\s+of\s+the\s+(?:guys|staff|people)|(?:he|she)\s+(?:was|wasn't|is|isn't|had|hadn't))\b"
)
_EN_AGAINST = re.compile(
    r"\b(?:isn't|aren't|wasn't|weren't)\s+exactly\b"
    r"|\b(?:isn't|aren't|wasn't|weren't)\s+(?:the\s+)?(?:sharpest|brightest|quickest|most\s+\w+)\b"
    r"|\b(?:just\s+)?(?:don't|doesn't|never)\s+(?:really\s+)?(?:listen|care|bother)\b"
    r"|\bnot\s+(?:exactly\s+)?(?:the\s+)?(?:most|best|"
    r"sharpest|strongest|brightest|quickest|reliable)\b|\bin\s+a\s+state\b|\ba\s+(?:total\s+|bit\s+of\s+a\s+)?"
    r"mess\b|\b(?:hopeless|useless|clueless|incompetent|lazy|careless|sloppy|stretched)\b"
    r"|\bdropped\s+the\s+ball\b|\bmessed\s+(?:it\s+|things\s+)?up\b|\bno\s+idea\b"
    r"|\b(?:forget|forgot|forgets)\s+to\b|\blie\s+down\b|\bdidn't\s+bother\b|\bcouldn't\s+be\s+bothered\b"
    r"|\bhadn't\s+done\b|\bticking\s+off\b|\bnot\s+with\s+us\s+any\s*more\b|\bfamous\s+for\b"
    r"|\bshould\s+have\s+(?:moved|told|checked|caught|known|done)\b|\band\s+(?:frankly\s+)?it\s+shows\b"
)
_HE_ASIDE = re.compile(
    r"(?:^|\s)[ו]?(?:בינינו|בין\s+אני\s+לבינך|רק\s+בינינו|מתחת\s+לשולחן|לא\s+לציטוט)(?=\s|$)"
)
_HE_SOMEONE = re.compile(
    r"(?:^|\s)[וש]?(?:הפקידה|הפקיד|הטכנאי|הטכנאית|הנציג|הנציגה|המוקד|התמיכה|הגבייה|המכירות|הצוות|"
    r"המחלקה|המשמרת|הסניף|המחסן|המוקדנים|הבחור|הבחורה|האחראי|האחראית|המדריך|המדריכה|הקודם|הקודמת|"
    r"מי\s+שטיפל|מי\s+שטיפלה|"
    r"המתקין|המתקינים|הטכנאים|הנציגים|השליח|השליחים|הנהג|הנהגים|העובדים|הקולגות|החבר'ה|"
    r"מי\s+שהיה|מי\s+שהייתה)(?=\s|$)"
)
_HE_AGAINST = re.compile(
    r"(?:^|\s)(?:לא\s+הכי\s+\S+|חלש|חלשה|חלשים|בלגן|אסון|מפשלים|פישל|פישלה|פישלו|עצלן|עצלנית|"
    r"לא\s+רציני|לא\s+רצינית|לא\s+מקצועי|לא\s+מקצועית|לא\s+טרח|לא\s+טרחה|גרוע|גרועה|זוועה|"
    r"לא\s+מקשיב|לא\s+מקשיבה|לא\s+מקשיבים|לא\s+אכפת\s+לו|לא\s+אכפת\s+לה|לא\s+אכפת\s+להם|"
    r"לא\s+יודעים\s+מה\s+הם|לא\s+יודע\s+מה\s+הוא|נפרדנו\s+ממנו|נפרדנו\s+ממנה|תלונות\s+עליו|"
    r"תלונות\s+עליה)(?=\s|$)"
)
# The company owning it: "we dropped the ball", "that's on us", "זה עלינו", "אשמתנו".
_OWNED = re.compile(
    r"\b(?:we|i)\s+(?:really\s+)?(?:dropped|messed|let\s+you\s+down|got\s+it\s+wrong)\b|\bon\s+(?:us|me)\b"
    r"|(?:^|\s)(?:זה\s+)?(?:עלינו|עליי|אשמתנו|באשמתנו|אשמתי)(?=\s|$)"
)


# Someone spoken of in the third person: "he wasn't", "היא לא".
_THIRD_PERSON = re.compile(
    # (he or she: "they" and "them" are as often the things of the call)
    r"\b(?:he|she|him|her|he's|she's|his)\b"
    r"|(?:^|\s)[וש]?(?:הוא|היא|אותו|אותה|שלו|שלה|עליו|עליה)(?=\s|$)"
    # whoever did it, and the company's people without the article: "מי שדיבר איתך", "נציגים חדשים"
    r"|(?:^|\s)[ו]?מי\s+ש\S+|(?:^|\s)[וש]?(?:נציגים|נציגות|טכנאים|עובדים|מתקינים|שליחים|פקידים)(?=\s|$)"
)


def runs_down(text: str) -> str | None:
    """The words that run down a colleague or another team, or None. Someone of the company
    is the subject of the judgement (named before it: "the cooling was weak on the courier's
    van" judges the cooling), unless a confidential aside frames it."""
    whole = normalize(text)
    if _OWNED.search(whole):
        return None
    aside = _EN_ASIDE.search(whole) or _HE_ASIDE.search(whole)
    for sentence in split_sentences(text):
        s = normalize(sentence)
        against = _EN_AGAINST.search(s) or _HE_AGAINST.search(s)
        if against is None:
            continue
        someone = _EN_SOMEONE.search(s) or _HE_SOMEONE.search(s)
        if aside is not None or (someone is not None and someone.start() < against.start()):
            return (aside.group(0).strip() + " … " if aside else "") + against.group(0).strip()
    return None


def speaks_of_someone(text: str) -> bool:
    """The utterance speaks of someone else: a confidential aside, a colleague, a team, or
    someone in the third person. Nobody can be run down in words that speak of no one ("so
    what do you usually send, shirts, sheets?")."""
    s = normalize(text)
    return any(p.search(s) for p in (_EN_ASIDE, _HE_ASIDE, _EN_SOMEONE, _HE_SOMEONE, _THIRD_PERSON))
