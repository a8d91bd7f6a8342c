"""The customer's alternative provider, told by its grammar (source 003's last two stages).

- switching, already working with an alternative: "we started trialling another tool with two of
  our clients", "we've already moved two clients over", "ניידנו שני קווים", "התחלנו לעבוד עם
  חברה אחרת". A decision to go elsewhere not yet in use ("I've signed with another company,
  they start next month", "I've got a quote and I'm taking it") is anti, not switching;
- refrozen, settled with it: "I've had another system since about March, I'm happy with it",
  "Birch has been with them fourteen months and it's been perfectly fine", "אני כבר חצי שנה
  באפליקציה אחרת ואני מרוצה ממנה";
- and short of either, eyes open to one (anti): "SafeLane quoted me eleven sixty", "I'm halfway
  through their sign-up", "קיבלתי הצעה מחברה דיגיטלית", "נכנסתי לאתר השוואה".

Each function returns the words that decided it, or None. An alternative is named as one
("another system", "something else", "them", "אפליקציה אחרת"); the customer's time with the
company itself ("I've been with you since 2019, happy with it") is neither.
"""

from __future__ import annotations

import re

from app.rubrics.text import normalize, split_sentences

_EN_OTHER = (
    r"(?:another|a\s+different|a\s+new|the\s+other|the\s+new|a\s+cheaper|a\s+local)\s+"
    r"(?:\w+\s+)?(?:system|app|provider|company|service|tool|firm|supplier|studio|walker|plan|"
    r"one|platform|software|agency|place|contractor|club|gym|carrier|network|bank|insurer|school|"
    r"teacher|tutor|person|guy|courier|cleaner|lender|machine|vendor|lot|crew|farm|box)s?"
    r"|something\s+else|someone\s+else|somebody\s+else|somewhere\s+else|elsewhere|"
    r"(?:with|to)\s+them|the\s+competition"
)
_EN_SETTLED = re.compile(
    # "I've had another system since about March", "we've been with them fourteen months"
    rf"\b(?:had|used|been\s+(?:using|with|on)|with|using|on)\s+(?:{_EN_OTHER})\s+(?:\w+\s+){{0,3}}?"
    r"(?:since|for\s+(?:\w+\s+){0,2}?(?:weeks?|months?|years?)|(?:\w+\s+)?(?:weeks?|months?|years?)"
    r"\s+now)\b"
    rf"|\b(?:happy|pleased|satisfied|content|sorted)\s+with\s+(?:{_EN_OTHER}|them|her|him|it)\b"
    r"(?=.*\b(?:another|else|them|new|other|switched|moved|found)\b)"
    rf"|\bfound\s+(?:{_EN_OTHER})\b"
    r"|\b(?:been\s+with\s+them|been\s+doing\s+it)\s+(?:for\s+)?(?:\w+\s+){0,2}?(?:weeks?|months?|"
    r"years?)\b"
    r"|\bthe\s+contract's\s+signed\b|\bcontract\s+(?:is|has\s+been)\s+signed\b"
    # the other one coming since: "he's been here every single week since"
    r"|\b(?:he's|she's|they've|he\s+has|she\s+has|they\s+have)\s+been\s+(?:here|coming|round|over|"
    r"doing\s+it)\s+(?:(?!you\b|your\b|us\b)\w+\s+){0,3}?(?:ever\s+)?since\b"
    # one of their own now: "I've got someone else now", "we have a local guy who does it"
    rf"|\b(?:i've\s+got|i\s+have|we've\s+got|we\s+have|i\s+use|we\s+use)\s+(?:{_EN_OTHER}|a\s+guy|"
    r"someone|somebody)\s+(?:now|here|locally|who|that)\b"
)
_EN_SWITCHING = re.compile(
    r"\b(?:started|starting|begun|began)\s+(?:\w+\s+)?(?:using|trialling|trialing|trying|testing|"
    r"with|working\s+with)\b"
    r"|\b(?:trialling|trialing|on\s+a\s+trial|free\s+trial|running\s+(?:both|them)\s+side\s+by\s+side)\b"
    r"|\b(?:moved|moving|switched|switching|ported|porting|transferred|transferring)\s+(?:\w+\s+){0,3}?"
    r"(?:over|across)\b"
    # using another alongside the company: "I've been using CurbPay for two weeks, alongside you"
    r"|\balongside\s+(?:you|yours)\b"
    # the other one already here or already at work: "I've got another one on the counter", "I've
    # found someone. She's already redone our landing page"
    rf"|\b(?:i've|i\s+have|we've|we\s+have)\s+(?:already\s+)?got\s+(?:{_EN_OTHER})\s+(?:on|in|at|"
    r"installed|running|working|up)\b"
    r"|\b(?:i've|i\s+have|we've|we\s+have)\s+(?:already\s+)?found\s+(?:someone|somebody|a\s+\w+)\s*$"
    r"|\b(?:she's|he's|they've|she\s+has|he\s+has|they\s+have)\s+already\s+(?:redone|done|started|"
    r"fixed|installed|taken\s+over|set\s+up|moved|built|delivered|replaced)\s+(?:our|my|us)\b"
    r"|\bbeen\s+using\s+(?!(?:you|it|this|that|the|your|my|our|them\s+for\s+years)\b)\w+\s+for\s+"
    r"(?:about\s+|around\s+|a\s+few\s+|the\s+last\s+|the\s+past\s+)?(?:\w+\s+)?(?:days?|weeks?|months?)\b"
    # another firm already did the job: "a firm in Market Harborough came out the next afternoon"
    # (not "an engineer came out": that is as likely the company's own)
    r"|\b(?:a|another)\s+(?:firm|company|supplier)\s+(?:(?!your\b|you\b|from\b)\w+\s+){0,4}?"
    r"(?:came\s+(?:out|round|over)|"
    r"filled|fixed|sorted|delivered|did\s+it)\b"
)
# What one finds that is no provider: "מצאנו פה טעות בחשבון".
_HE_FAULT = r"(?:פה|כאן|בעיה|בעיות|טעות|טעויות|חיוב|חיובים|תקלה|את)(?:\s|$)"
_HE_SETTLED = re.compile(
    # "אני כבר חצי שנה באפליקציה אחרת", "שנה אצלם"
    r"(?:^|\s)(?:כבר\s+)?(?:\S+\s+){0,2}?(?:חודש|חודשיים|חודשים|שבועות|חצי\s+שנה|שנה|שנתיים)\s+"
    r"(?:ב\S+\s+(?:אחר|אחרת|חדש|חדשה)|אצלם|איתם|אצל\s+\S+\s+(?:אחר|אחרת))(?=\s|$)"
    r"|(?:^|\s)(?:מרוצה|מרוצים|מרוצות)\s+(?:מאוד\s+|לגמרי\s+)?(?:מהם|ממנה|ממנו|שם|מה\S+\s+(?:החדש|"
    r"החדשה))(?=\s|$)"
    # ("מאז שעברתי לעבוד מהבית" is a move of the customer's own)
    r"|(?:^|\s)מאז\s+ש(?:עברתי|עברנו)(?=\s*$|\s+(?:אליהם|אליה|אליו|לשם|ל(?:חברה|ספק|אפליקציה|"
    r"תוכנה|מתחר)))"
    r"|(?:^|\s)(?:הכול|הכל|זה)\s+עובד\s+(?:שם|אצלם)\s+(?:\S+\s+)?(?:בסדר|מצוין|טוב|מעולה)"
    r"|(?:^|\s)מצאתי\s+(?:משהו|מישהו|מישהי|מקום)\s+(?:אחר|אחרת)(?=\s|$)"
    # found one near the new home: "פשוט מצאתי סטודיו פה", "מצאנו פה משק קטן במושב ליד"
    rf"|(?:^|\s)(?:מצאתי|מצאנו)\s+(?!{_HE_FAULT})\S+\s+(?:פה|כאן|ליד\s+הבית|באזור|בשכונה)(?=\s|$)"
    rf"|(?:^|\s)(?:מצאתי|מצאנו)\s+(?:פה|כאן)\s+(?!{_HE_FAULT})\S+"
    # with them a while: "אנחנו איתם כבר איזה ארבעה חודשים"
    r"|(?:^|\s)(?:אני|אנחנו)\s+(?:כבר\s+)?(?:איתם|אצלם)\s+(?:כבר\s+)?(?:\S+\s+){0,2}?"
    r"(?:חודש|חודשיים|חודשים|שבועות|חצי\s+שנה|שנה|שנתיים)(?=\s|$)"
    # taking it from another a while: "אני כבר שלושה חודשים לוקחת ארגז מחווה במושב ליד"
    r"|(?:^|\s)(?:אני|אנחנו)\s+כבר\s+(?:\S+\s+){0,2}?(?:חודש|חודשיים|חודשים|שבועות|חצי\s+שנה|שנה|"
    r"שנתיים)\s+(?:לוקח|לוקחת|לוקחים|מקבל|מקבלת|מקבלים|משתמש|משתמשת|משתמשים|עובד|עובדת|עובדים|הולך|"
    r"הולכת|הולכים|מזמין|מזמינה|מזמינים)\s+(?:\S+\s+)?(?:מ|אצל|עם|ב)\S+"
    # one of their own now: "יש לי מישהי אמיתית, פה, שאני סומכת עליה"
    r"|(?:^|\s)יש\s+(?:לי|לנו)\s+(?:כבר\s+|עכשיו\s+)?(?:מישהו|מישהי|משהו|מקום|ספק|חברה)\s+(?:\S+\s+)?"
    r"(?:פה|כאן|אחר|אחרת|חדש|חדשה|קרוב)(?=\s|$)"
    # settled there: "אני די מסודרת פה", "אנחנו ממש מסודרים עם המשק"
    r"|(?:^|\s)(?:מסודר|מסודרת|מסודרים|מסודרות)\s+(?:פה|כאן|שם|איתם|עם\s+(?:ה\S+\s+)?(?:החדש|החדשה|"
    r"החדשים|משק|המשק|הסטודיו|החברה\s+החדשה))(?=\s|$)"
)
_HE_SWITCHING = re.compile(
    r"(?:^|\s)(?:התחלנו|התחלתי|מתחילים|מתחילה|מתחיל)\s+(?:לעבוד|לעבור|להשתמש|לנסות)\s+(?:עם|ב|אצל)"
    r"|(?:^|\s)(?:ניידנו|ניידתי|מניידים|העברנו|העברתי)(?=\s|$)"
    r"|(?:^|\s)(?:עוברים|עוברת|עובר|עברנו|עברתי)\s+(?:ל|אל\s+)(?:חברה|ספק|תוכנה|אפליקציה|מקום|"
    r"מתחרה|מתחרים)\S*"
    r"|(?:^|\s)(?:כבר\s+)?(?:מוציאה|מוציא|עובדת|עובד|עובדים|משתמשת|משתמש|משתמשים)\s+(?:\S+\s+){0,2}?"
    r"ב(?:תוכנה|אפליקציה|חברה|מערכת|ספק)\s+(?:אחרת|אחר|חדשה|חדש)(?=\s|$)"
    # already with the other one: "אני כבר עם הבחור החדש", "אנחנו כבר אצל חברה אחרת"
    r"|(?:^|\s)(?:אני|אנחנו)\s+כבר\s+(?:עם|אצל)\s+(?:ה\S+\s+(?:החדש|החדשה|השני|השנייה|האחר|האחרת)|"
    r"\S+\s+(?:אחר|אחרת|חדש|חדשה))(?=\s|$)"
    # using another alongside the company: "במקביל אליכם"
    r"|(?:^|\s)במקביל\s+(?:אליכם|לכם)(?=\s|$)"
)


def _search(text: str, en: re.Pattern[str], he: re.Pattern[str]) -> str | None:
    for sentence in split_sentences(text):
        s = normalize(sentence)
        m = en.search(s) or he.search(s)
        if m is not None:
            return m.group(0).strip()
    return None


def settled_elsewhere(text: str) -> str | None:
    """The words that tell the customer is settled with another provider (refrozen). Still
    moving over in the same breath ("we've ported two lines, it all works there, now we'll
    move the other two") is switching, not settled."""
    if moving_elsewhere(text):
        return None
    return _search(text, _EN_SETTLED, _HE_SETTLED)


def moving_elsewhere(text: str) -> str | None:
    """The words that tell the customer already works with an alternative (switching)."""
    return _search(text, _EN_SWITCHING, _HE_SWITCHING)


# Eyes open to an alternative, not yet in use (source 003's anti: "the customer starts to take an
# interest and open their eyes"): another's quote or offer in hand, a sign-up under way, prices
# compared. "You offered me a discount last year" is the company's own offer.
_EN_LOOKING = re.compile(
    rf"\b(?:they|she|he|{_EN_OTHER})\s+(?:quoted|offered)\s+(?:me|us)\b"
    r"|\b(?!you\b|you've\b|your\b|we\b)\w+\s+quoted\s+(?:me|us)\b"
    r"|\b(?:got|have|had|getting)\s+(?:a|an|their|the)\s+(?:\w+\s+)?(?:quote|offer)\s+(?:from|with)\b"
    r"|\bhalfway\s+through\s+(?:their|the|a)\s+(?:\w+\s+)?(?:sign\s*up|sign-up|application|"
    r"switch|form|process|paperwork)\b"
    r"|\b(?:comparison\s+(?:site|website)|compared\s+(?:prices|quotes)|shopping\s+around|"
    r"price\s+comparison)\b"
)
_HE_LOOKING = re.compile(
    r"(?:^|\s)ו?(?:קיבלתי|קיבלנו|יש\s+לי|יש\s+לנו)\s+הצעה\s+(?:\S+\s+)?(?:מ|אצל|של)\S*"
    r"|(?:^|\s)(?:הציעו|הציע|הציעה)\s+(?:לי|לנו)\s+(?:שם|אצלם|ב\S+)(?=\s|$)"
    r"|(?:^|\s)[ולב]?(?:אתר|אתרי)\s+(?:ה)?השוואה(?=\s|$)|(?:^|\s)(?:השוואת|השוויתי|השווינו)\s+מחירים(?=\s|$)"
    r"|(?:^|\s)(?:באמצע|התחלתי)\s+(?:ה)?(?:הרשמה|להירשם|לעבור)\s+(?:אצלם|אצל|ל)\S*"
)


def looking_elsewhere(text: str) -> str | None:
    """The words that tell the customer has an alternative in view, not yet in use (anti): a
    quote or an offer from it, a sign-up under way, prices compared."""
    return _search(text, _EN_LOOKING, _HE_LOOKING)
