"""The customer's alternative provider told by its grammar (app/engine/alternatives.py), in
English and Hebrew: settled with it (refrozen) or already moving over (switching); the
customer's time with the company itself and moves of their own are neither; and the
scorecard's churn_stage on short calls that say them."""

from __future__ import annotations

import pytest

from app.engine.alternatives import moving_elsewhere, settled_elsewhere
from app.pipeline.resources import Resources
from tests.test_rubrics import CUSTOMER_REP, analyze

SETTLED = [
    "I've had another system since about March, it's all set up, I'm happy with it.",
    "Birch has been with them fourteen months and it's been perfectly fine.",
    "It was fine for a while, then it wasn't, and then I found something else.",
    "אני כבר חצי שנה באפליקציה אחרת, ואני מרוצה ממנה לגמרי.",
    "את יכולה לראות שאני לא נכנס כבר חצי שנה, מאז שעברתי.",
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
