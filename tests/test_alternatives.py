"""The customer's alternative provider told by its grammar (app/engine/alternatives.py), in
English and Hebrew: settled with it (refrozen) or already moving over (switching); the
customer's time with the company itself and moves of their own are neither; and the
scorecard's churn_stage on short calls that say them."""

from __future__ import annotations

import pytest

from app.engine.alternatives import looking_elsewhere, moving_elsewhere, settled_elsewhere
from app.pipeline.resources import Resources
from tests.test_rubrics import CUSTOMER_REP, analyze

SETTLED = [
    "I've had another system since about March, it's all set up, I'm happy with it.",
    "Birch has been with them fourteen months and it's been perfectly fine.",
    "It was fine for a while, then it wasn't, and then I found something else.",
    "אני כבר חצי שנה באפליקציה אחרת, ואני מרוצה ממנה לגמרי.",
    "את יכולה לראות שאני לא נכנס כבר חצי שנה, מאז שעברתי.",
    # one found near the new home, with them a while, settled there
    "We've had the new machines since the spring, and nobody complains.",
    "מצאתי גן בשכונה, והילדה מאושרת.",
    "מצאנו כאן מורה פרטית שמגיעה הביתה.",
    "אנחנו איתם כבר חצי שנה.",
    "תודה, אבל אני מסודרת שם לגמרי.",
    "A local woman took it over, and she's been coming every fortnight since.",
    "We've got somebody who does it for cash now.",
    "אנחנו כבר חצי שנה מזמינים מספק אחר.",
    "יש לי מישהו קרוב, מהשכונה.",
]
MOVING = [
    "A couple of weeks ago we started trialling another tool with two of our clients.",
    "We've already moved two clients over.",
    "We've been running both side by side since June.",
    "ניידנו שני קווים בינתיים, ועכשיו נעביר גם את השניים האחרים.",
    "מתחילת החודש אני כבר מוציאה חשבוניות בתוכנה אחרת.",
    "I've been using CurbPay for about two weeks now, alongside you.",
    "My son rang round, and a firm in Market Harborough came out the very next afternoon.",
    "לא, תודה. אני כבר עם הבחור החדש.",
    "אנחנו משתמשים בהם במקביל אליכם.",
    "I don't need it fixed. It's out. I've got another one on the counter.",
    "Can I finish? I've found someone.",
    "A freelancer. She's already redone our landing page.",
]
NEITHER = [
    "I've been with you since 2019 and I'm happy with it.",
    "I've got a quote from somewhere else and I'm taking it on the first.",  # decided, not moved
    "I've already signed up with another company, they start next month.",
    "פשוט מאז שעברתי לעבוד מהבית אני כמעט לא נוסע.",  # a move of their own
    "אני איתכם כבר שנתיים ואני מרוצה.",
    "I've been using the app for two years.",
    "An engineer came out on Tuesday and left without fixing it.",  # as likely the company's
    "A man from your company came out on Tuesday.",
    "אני כבר עם הטכנאי שלכם בקשר.",
    "מצאנו פה טעות בחשבון.",
    "I've got another question about the bill.",
    "I've found a way to pay it.",
    "He's already done his homework.",
    "אני מסודרת עם התשלום.",
    "I have another question about the bill.",
    "He's been coming to you since he was five.",
    "יש לי משהו לשאול.",
]


@pytest.mark.parametrize("text", SETTLED)
def test_settled_with_another_provider(text: str) -> None:
    assert settled_elsewhere(text)
    assert not moving_elsewhere(text)


@pytest.mark.parametrize("text", MOVING)
def test_already_moving_to_another_provider(text: str) -> None:
    assert moving_elsewhere(text)
    assert not settled_elsewhere(text)


@pytest.mark.parametrize("text", NEITHER)
def test_the_company_itself_or_a_move_of_ones_own_is_no_alternative(text: str) -> None:
    assert not settled_elsewhere(text) and not moving_elsewhere(text)


LOOKING = [
    "Anyway, I went online and SafeLane quoted me eleven sixty for the same coverage.",
    "I'm already halfway through their sign-up.",
    "I got a quote from Aviva last week.",
    "They offered us two months free.",
    "נכנסתי לאתר השוואה, מילאתי פרטים חמש דקות.",
    "וקיבלתי הצעה מחברה דיגיטלית, אותו כיסוי בדיוק.",
    "הציעו לי שם חצי מחיר.",
]
NOT_LOOKING = [
    "You offered me a discount last year.",  # the company's own offer
    "You quoted me forty on the phone.",
    "Can you give me a quote for the upgrade?",
    "I'm fed up with you people.",
    "קיבלתי מכם הודעה על העלאת מחיר.",
]


@pytest.mark.parametrize("text", LOOKING)
def test_an_alternative_in_view(text: str) -> None:
    assert looking_elsewhere(text)


@pytest.mark.parametrize("text", NOT_LOOKING)
def test_the_companys_own_offer_or_anger_is_no_alternative_in_view(text: str) -> None:
    assert not looking_elsewhere(text)


def test_still_moving_over_while_it_works_there_is_switching() -> None:
    text = "ניידנו שני קווים, הכול עובד שם בסדר גמור. אז עכשיו נעביר גם את השניים האחרים."
    assert moving_elsewhere(text) and not settled_elsewhere(text)


CALLS = {
    "en": (
        "Hi, I'd like to close the account, please.",
        "Of course. Can I ask what's changed?",
        {
            "refrozen": "Honestly, I've had another system since about March. I'm happy with it.",
            "switching": "We started trialling another tool two weeks ago, with two clients.",
        },
        "Okay, thanks. Bye.",
    ),
    "he": (
        "היי, אני רוצה לסגור את החשבון בבקשה.",
        "בטח. אפשר לשאול מה השתנה?",
        {
            "refrozen": "אני כבר חצי שנה באפליקציה אחרת, ואני מרוצה ממנה לגמרי.",
            "switching": "מתחילת החודש אני כבר מוציאה חשבוניות בתוכנה אחרת.",
        },
        "אוקיי, תודה. ביי.",
    ),
}


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.parametrize("stage", ["refrozen", "switching"])
def test_churn_stage_by_the_grammar(resources: Resources, language: str, stage: str) -> None:
    leave, ask, why, bye = CALLS[language]
    lines = [
        ("c1", 0.5, 3.0, leave),
        ("a1", 3.6, 6.0, ask),
        ("c1", 6.6, 11.0, why[stage]),
        ("c1", 11.6, 13.0, bye),
    ]
    assert analyze(resources, language, CUSTOMER_REP, lines).churn_stage == stage


SAVED = {
    "en": [
        ("c1", 0.5, 5.0, "Hi, I want to cancel. I'm fed up with you, the bill's gone up again."),
        ("a1", 5.6, 9.0, "I'm sorry about that. Can I ask what it's costing you now?"),
        ("c1", 9.6, 13.0, "Eighty a month. {alternative}"),
        (
            "a1",
            13.6,
            19.0,
            "I can put you on our loyalty rate, sixty a month, fixed for a year. Would that work?",
        ),
        ("c1", 19.6, 22.0, "Yes, that works. Let's do that."),
        ("a1", 22.6, 25.0, "Done. You'll see the new rate on your next bill."),
    ],
    "he": [
        ("c1", 0.5, 5.0, "היי, אני רוצה לבטל. נמאס לי מכם, החשבון שוב עלה."),
        ("a1", 5.6, 9.0, "אני מצטערת על זה. אפשר לשאול כמה אתה משלם עכשיו?"),
        ("c1", 9.6, 13.0, "שמונים שקל בחודש. {alternative}"),
        (
            "a1",
            13.6,
            19.0,
            "אני יכולה להעביר אותך לתעריף נאמנות של שישים בחודש, קבוע לשנה. זה מתאים לך?",
        ),
        ("c1", 19.6, 22.0, "כן, זה מתאים לי. בוא נעשה את זה."),
        ("a1", 22.6, 25.0, "בוצע. תראה את התעריף החדש בחשבון הבא."),
    ],
}
IN_VIEW = {
    "en": "And SafeLane quoted me sixty for the same thing.",
    "he": "וקיבלתי הצעה מחברה אחרת בשישים לאותו דבר.",
}


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.parametrize("in_view", [False, True])
def test_a_customer_won_back_was_thawing_unless_they_had_an_alternative_in_view(
    resources: Resources, language: str, in_view: bool
) -> None:
    """Anger on the way ("I'm fed up with you") is thawing (source 003's second stage, the one
    repair reaches); a quote from another in hand is anti."""
    alternative = IN_VIEW[language] if in_view else ""
    lines = [(w, a, b, t.format(alternative=alternative).strip()) for w, a, b, t in SAVED[language]]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert card.outcome == "saved"
    assert card.churn_stage == ("anti" if in_view else "thawing"), card.churn_stage


WITHOUT_A_WORD = {
    "en": [
        ("c1", 0.5, 3.0, "Hi. I want to cancel my subscription, please."),
        ("a1", 3.6, 6.0, "Of course. Can I ask what made you decide?"),
        ("c1", 6.6, 9.0, "I'd rather not go into it. Just cancel it, please."),
        ("a1", 9.6, 13.0, "No problem. Your subscription is now cancelled. Anything else?"),
        ("c1", 13.6, 15.0, "No. Bye."),
    ],
    "he": [
        ("c1", 0.5, 3.0, "היי. אני רוצה לבטל את המנוי בבקשה."),
        ("a1", 3.6, 6.0, "בטח. אפשר לשאול מה הביא אותך להחלטה?"),
        ("c1", 6.6, 9.0, "אני מעדיפה לא להיכנס לזה. פשוט תבטלי בבקשה."),
        ("a1", 9.6, 13.0, "אין בעיה. המנוי שלך מבוטל. עוד משהו?"),
        ("c1", 13.6, 15.0, "לא. ביי."),
    ],
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_leaving_without_a_word_of_why_is_anti(resources: Resources, language: str) -> None:
    card = analyze(resources, language, CUSTOMER_REP, WITHOUT_A_WORD[language])
    assert (card.outcome, card.churn_reason, card.churn_stage) == ("churned", "unknown", "anti")


SETTLED_CALL = {
    "en": [
        ("a1", 0.5, 5.0, "Hi Ruth, it's Sam from Paws and Go. Have you got a minute?"),
        ("c1", 5.6, 7.0, "Sure, go on."),
        (
            "a1",
            7.6,
            13.0,
            "We've missed you since October. We now do solo walks with a photo report.",
        ),
        (
            "c1",
            13.6,
            19.0,
            "That sounds nice. But we've been with another walker since October, we love her.",
        ),
        ("a1", 19.6, 22.0, "Of course. Well, thanks for your time."),
        ("c1", 22.6, 24.0, "Thanks. Bye."),
    ],
    "he": [
        ("a1", 0.5, 5.0, "היי רותי, מדבר סם מכלבים בדרך. יש לך דקה?"),
        ("c1", 5.6, 7.0, "כן, בטח."),
        (
            "a1",
            7.6,
            13.0,
            "התגעגענו אלייך מאז אוקטובר. עכשיו יש לנו טיולים אישיים עם דיווח בתמונות.",
        ),
        ("c1", 13.6, 19.0, "נשמע נחמד. אבל אני כבר חצי שנה אצל מטיילת אחרת, ואני מרוצה ממנה מאוד."),
        ("a1", 19.6, 22.0, "בטח. תודה על הזמן."),
        ("c1", 22.6, 24.0, "תודה. ביי."),
    ],
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_customer_settled_elsewhere_stays_gone(resources: Resources, language: str) -> None:
    """A win-back call that the customer answers by being settled with another provider, no
    decision said: they stay gone, churned (refrozen)."""
    card = analyze(resources, language, CUSTOMER_REP, SETTLED_CALL[language])
    assert (card.outcome, card.churn_stage) == ("churned", "refrozen")
