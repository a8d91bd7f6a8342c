"""A pitch, told by its grammar rather than by a list of whole phrases (source 000).

Reps who resell rarely say "feature" or "upgrade". They bring news of the product ("we just
brought out five-minute lessons", "יצא לנו עכשיו דגם חדש"), ask whether the customer knows it
("do you know what Plus includes these days?", "ידעת ש…"), or hold today's product against
yesterday's ("the person detection is a lot sharper than it used to be", "הרבה יותר טוב ממה
שהיה"). Each grammar below takes one of these shapes, with any product and any words between.

A concession ("we've added a month's credit to your account") is an offer, not a pitch: the news
grammars leave out what is done to the customer's account and what costs less.

`pitches` returns the words that decided it (the evidence a trainer sees), or None.
"""

from __future__ import annotations

import re

from app.rubrics.text import normalize, split_at_stops

# News of the product: something launched, opened, brought in.
_EN_NEWS = re.compile(
    # ("since we launched in your area" is history, not news)
    r"(?<!since\s)(?<!when\s)(?<!before\s)(?<!after\s)"
    r"\bwe(?:'ve|\s+have|'re|\s+are)?\s+(?:just\s+|recently\s+|now\s+|also\s+|finally\s+|"
    r"actually\s+)*(?:brought\s+out|launched|launching|rolled\s+out|rolling\s+out|introduced|"
    r"released|unveiled|opened|opening|added|adding|built|started\s+offering|redesigned|revamped|"
    r"upgraded|improved|expanded|put(?!\s+(?:you|it|that|this|together|everything)\b))\b"
    r"(?!\s+(?:\S+\s+){0,4}?(?:credit|refund|discount|note|ticket|case|request|complaint|"
    r"flag|to\s+your|on\s+your|for\s+you|your\s+account))"
)
_HE_NEWS = re.compile(
    r"(?:^|\s)[וש]{0,2}(?:השקנו|שדרגנו|חידשנו|פתחנו|הוספנו|הכנסנו|הרחבנו|שיפרנו|בנינו|יצא\s+לנו|"
    r"יצאה\s+לנו|יצאו\s+לנו|אנחנו\s+(?:פותחים|משיקים|מוסיפים|מרחיבים|משדרגים)|"
    r"אצלנו\s+(?:פתחו|הוסיפו|השיקו|שדרגו|חידשו))(?=\s|$)"
    r"(?!\s+(?:לך|לכם|לחשבון|זיכוי|הערה|פנייה))"
    r"|(?:^|\s)[וש]{0,2}(?:וגם\s+)?(?:יש\s+לנו|יש\s+עכשיו|יש\s+גם|אצלנו\s+יש)\s+(?:\S+\s+){0,4}?"
    r"(?:חדש|חדשה|חדשים|חדשות)(?=\s|$)"
)
# Asking whether the customer knows the product, or offering to tell them about it.
_EN_DO_YOU_KNOW = re.compile(
    r"\b(?:did\s+you\s+know|have\s+you\s+(?:seen|tried|heard\s+about|had\s+a\s+look\s+at)\s+"
    r"(?:the|our)|can\s+i\s+tell\s+you\s+about|let\s+me\s+tell\s+you\s+about|"
    r"you\s+might\s+not\s+know|not\s+sure\s+if\s+you\s+know|"
    r"do\s+you\s+know\s+(?:what\s+(?:\S+\s+){0,2}?(?:includes|offers|comes\s+with|has|gives)|"
    r"(?:that\s+)?(?:we|you\s+can|you\s+get)|how\s+many\s+(?:\S+\s+){0,2}?(?:came|come|went)\s+back))\b"
)
_HE_DO_YOU_KNOW = re.compile(
    r"(?:^|\s)(?:ו)?(?:ידעת\s+ש|(?:אתה|את)\s+(?:יודע|יודעת)\s+(?:ש|כמה)|שמעת\s+על|שמעת\s+ש|"
    r"ניסית\s+את|ראית\s+את\s+ה|תן\s+לי\s+לספר\s+לך|תני\s+לי\s+לספר\s+לך|אפשר\s+לספר\s+לך|"
    r"(?:אני\s+)?רוצה\s+שתדע\s+מה\s+יש\s+לך|(?:אני\s+)?רוצה\s+שתדעי\s+מה\s+יש\s+לך)"
)
# Today's product held against yesterday's.
_EN_BETTER = re.compile(
    r"\b(?:a\s+lot|much|way|far|so\s+much|loads)\s+(?:better|sharper|faster|easier|smoother|"
    r"quicker|nicer|more\s+\w+)\s+(?:now|these\s+days|than)\b"
    r"|\bthan\s+(?:it|they|we|that)\s+used\s+to\b|\bthan\s+(?:it|they)\s+(?:was|were)\s+before\b"
    r"|\b(?:now|these\s+days)\s+instead\s+of\b|\binstead\s+of\s+\w+\s+now\b"
    r"|\bwe(?:'ve|\s+have)\s+changed\s+a\s+lot\b|\bthere's\s+never\s+been\s+a\s+better\s+time\b"
    # Against the market: "we're the only ones who…", "they don't have the VIP halls"
    r"|\b(?:we're|we\s+are)\s+the\s+only\s+(?:ones|company|provider|service|firm)\b"
    r"|\bnobody\s+else\s+(?:offers|has|gives|does)\b|\bno\s+one\s+else\s+(?:offers|has|gives)\b"
    r"|\b(?:they|the\s+other\s+(?:company|app|one|firm|provider))\s+(?:don't|doesn't|won't|can't)\s+"
    r"(?:have|give\s+you|offer|include|do)\b"
    # "just so you're comparing apples to apples, ours includes the fall aeration, and a lot of
    # the cheaper outfits charge extra for that"
    r"|\bapples\s+(?:to|with)\s+apples\b|\bours\s+(?:includes|comes\s+with|gives\s+you|has\s+got)\b"
    r"|\b(?:cheaper|other|smaller)\s+(?:outfits|companies|providers|firms|ones|guys|apps|services|"
    r"operators)\s+(?:either\s+|usually\s+|often\s+|just\s+)?(?:charge\s+extra|don't\s+include|"
    r"skip|quietly\s+skip|cut\s+corners)\b"
    # what it's worth: "we're seeing energy savings of around thirty percent"
    r"|\b(?:we're|we\s+are)\s+(?:now\s+)?seeing\s+(?:\w+\s+){0,2}?(?:savings|improvements?|"
    r"results|gains)\b"
)
# What's there now: "there's a photo report after every walk now"
_EN_NOW = re.compile(
    r"\b(?:there's|there\s+is|there\s+are|we\s+do|we\s+offer|we\s+keep|every\s+\w+\s+(?:has|gets|"
    r"comes\s+with)|you\s+(?:also\s+)?get|it\s+(?:also\s+)?(?:has|comes\s+with|includes))\s+"
    r"(?!(?:no|nothing|not|your)\b)(?:\S+\s+){1,12}?(?:now|these\s+days|nowadays)\b"
)
_HE_BETTER = re.compile(
    r"(?:^|\s)הרבה\s+יותר\s+(?:טוב|טובה|טובים|מהיר|מהירה|קל|קלה|נוח|נוחה|חכם|חכמה|מדויק|מדויקת)"
    r"|(?:^|\s)ממה\s+שהיה(?=\s|$)|(?:^|\s)מאשר\s+פעם(?=\s|$)|(?:^|\s)השתנינו\s+מאוד"
    r"|(?:^|\s)(?:השתנה|השתנו)\s+(?:המון|הרבה|מאוד)\s+(?:מאז|מאז\s+ש)"
    r"|(?:^|\s)(?:אנחנו\s+)?היחידים\s+(?:באזור|בארץ|בשוק|בתחום|ש)|(?:^|\s)רק\s+אצלנו(?=\s|$)"
    r"|(?:^|\s)(?:אצלם|אצל\s+המתחרים|להם)\s+(?:אין|לא\s+(?:מקבלים|נותנים|יהיה))(?=\s|$)"
    r"|(?:^|\s)אין\s+להם(?=\s|$)"
    # "אצלנו זה כולל גם את…, ורוב הזולים גובים על זה תוספת"
    r"|(?:^|\s)(?:ה)?(?:זולים|מתחרים|אחרים)\s+(?:\S+\s+)?(?:גובים\s+(?:על\s+זה\s+)?תוספת|מדלגים|לא\s+כוללים)"
    r"(?=\s|$)"
    r"|(?:^|\s)(?:אנחנו\s+)?(?:רואים|רואות)\s+(?:\S+\s+){0,2}?(?:חיסכון|חסכון|שיפור)(?=\s|$)"
)
# What costs less is an offer ("we've launched a cheaper plan"), not news of the product.
_COSTS = re.compile(
    r"\b(?:cheaper|discount|price|percent|half|free|off\s+your|less\s+a\s+month|pounds|dollars|"
    r"euros)\b|(?:^|\s)(?:הנחה|זול|זולה|זולים|מחיר|בחינם|חינם|שקל|שקלים|אחוז)(?=\s|$)"
)


def pitches(text: str) -> str | None:
    """The words that sell the product the customer already has, or None. News of something
    that costs less, in the same sentence, is an offer."""
    for sentence in split_at_stops(text):
        s = normalize(sentence)
        m = _EN_DO_YOU_KNOW.search(s) or _HE_DO_YOU_KNOW.search(s)
        m = m or _EN_BETTER.search(s) or _HE_BETTER.search(s)
        if m is None and not _COSTS.search(s):
            m = _EN_NEWS.search(s) or _HE_NEWS.search(s) or _EN_NOW.search(s)
        if m is not None:
            return m.group(0).strip()
    return None
