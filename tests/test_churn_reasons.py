"""The churn reason told by its grammar (app/engine/churn_reasons.py), in English and Hebrew:
what went wrong in the customer's own words, a reason denied, a change in their life; and the
scorecard's churn_reason on short calls that say them in no phrase list's words."""

from __future__ import annotations

import pytest

from app.engine.churn_reasons import denied_reasons, dismissed_parts, life_event, reasons_said
from app.pipeline.resources import Resources
from tests.test_rubrics import CUSTOMER_REP, analyze

SAID = [
    (
        "en",
        "Then in August the battery started dying on me, and now it keeps cutting out.",
        "product",
    ),
    ("en", "Thursday, nobody came and nobody rang.", "service"),
    ("en", "I've rung four times, and every time it's a different person.", "service"),
    ("en", "The renewal letter came and it's gone up to two hundred and nine.", "price"),
    ("en", "Honestly, we just don't use it anymore.", "non_usage"),
    ("en", "We got acquired. It closed last month.", "other"),
    ("en", "We're moving to Lisbon in the spring.", "other"),
    ("he", "המכשיר התקלקל פעמיים החודש.", "product"),
    ("he", "אף אחד לא חזר אליי, שלושה שבועות.", "service"),
    ("he", "המחיר קפץ ואני לא יכולה להרשות את זה.", "price"),
    ("he", "אני כבר לא משתמש בזה.", "non_usage"),
    ("he", "אנחנו עוברים לגור בחיפה.", "other"),
    # coming late, a price set against another's, what was bought left untouched
    ("en", "Three times now the box has come after eight at night.", "service"),
    ("en", "She's charging about half what we pay you.", "price"),
    ("en", "There are eleven boxes in there I haven't opened.", "non_usage"),
    ("he", "החבילה הגיעה באיחור של יומיים, שוב.", "service"),
    ("he", "היא לוקחת חצי ממה שאני משלם לכם.", "price"),
    ("he", "יש לי שש קופסאות שעוד לא פתחתי.", "non_usage"),
    # too slow, leaking, bought out, merging, waiting on the line, rude, late again
    (
        "en",
        "Linework was taking four, five minutes to open them, and crashing twice a week.",
        "product",
    ),
    ("en", "You know we got bought by Halden Group back in January?", "other"),
    ("en", "We're merging with another firm and they have their own contract.", "other"),
    ("en", "Honestly, it's nothing you guys did. It came from above.", "other"),
    ("he", "המכונה דולפת על כל השיש.", "product"),
    ("he", "אנחנו מתמזגים עם חברה אחרת ויש להם חוזה משלהם.", "other"),
    ("he", "כל פעם שאני מתקשר אני מחכה שעה על הקו.", "service"),
    ("he", "הנציגה הייתה גסה אליי בטלפון.", "service"),
    ("he", "המשלוח שוב איחר והשליח השאיר את זה בגשם.", "service"),
    ("en", "It's gone from twenty-nine a month to forty-one. Forty-one!", "price"),
    ("he", "החשבון קפץ ממאה עשרים למאה שמונים בלי שום הודעה.", "price"),
    ("he", "הטלפון לא מתחבר לרשת מאז העדכון.", "product"),
]
NOT_SAID = [
    ("en", "And it's not even the money, really.", "price"),
    ("en", "It's not that the product is bad.", "product"),
    ("en", "We've already moved two clients over to another tool.", "other"),
    ("en", "The box arrived smashed.", "product"),  # broken in transit is no product fault
    ("en", "I paid two hundred for it.", "price"),  # a sum is no complaint about price
    ("he", "זה לא המחיר.", "price"),
    ("he", "שילמתי מאתיים שקל.", "price"),
    ("he", "אני מחכה לטכנאי.", "service"),
    ("en", "I came after work to pick it up.", "service"),
    ("en", "I haven't opened a ticket about it.", "non_usage"),
    ("he", "אני מגיע למשרד אחרי שמונה.", "service"),  # the customer's own arrival
    ("he", "הבוקר הגעתי מאוחר לעבודה.", "service"),
    ("he", "אני מחכה לטכנאי.", "service"),
    ("he", "קניתי נוזל כלים חדש.", "product"),
    ("en", "I bought it by the river.", "other"),
    ("en", "It went from bad to worse.", "price"),
    ("he", "הוא עלה מהמחסן לקומה השנייה.", "price"),
    ("he", "האמת, הוא פשוט לא מתחבר לזה.", "product"),  # the boy doesn't take to the lessons
]


@pytest.mark.parametrize("language, text, reason", SAID)
def test_a_reason_in_the_customers_own_words(language: str, text: str, reason: str) -> None:
    assert reason in reasons_said(text, language)


@pytest.mark.parametrize("language, text, reason", NOT_SAID)
def test_a_reason_denied_or_a_fact_is_no_reason(language: str, text: str, reason: str) -> None:
    assert reason not in reasons_said(text, language)


def test_a_reason_denied_leaves_the_sentences_other_reason() -> None:
    said = reasons_said("It's not the money. It's that the app keeps crashing.", "en")
    assert "product" in said and "price" not in said


def test_paying_for_more_than_is_used_is_not_using_it() -> None:
    from app.engine.classify import _RARE_USE

    assert _RARE_USE.search("We pay for eight lessons a month and he did two.")
    assert _RARE_USE.search("אנחנו משלמים על שמונה שיעורים בחודש, והחודש הוא עשה שניים.")
    assert not _RARE_USE.search("I pay for the big box and we use all of it.")


def test_a_change_in_life_is_a_weaker_sign() -> None:
    assert life_event("I'm back at work in September and there's the new baby.")
    assert life_event("התחלתי עבודה חדשה ואין לי זמן.")
    assert life_event("We're moving. I got a job in Haifa.")
    assert life_event("אנחנו עוברים. קיבלתי עבודה בחיפה.")
    assert "other" not in reasons_said("There's the new baby now.", "en")
    assert life_event("The price went up.") is None


CALLS = {
    "en": {
        "leave": "Hi, I'd like to cancel, please.",
        "ask": "Of course. Can I ask what's happened?",
        "service": "Thursday, nobody came and nobody rang. I've rung four times since.",
        "product": "The battery keeps dying. Forty percent, then dead.",
        "bye": "Just cancel it, please.",
    },
    "he": {
        "leave": "היי, אני רוצה לבטל בבקשה.",
        "ask": "בטח. אפשר לשאול מה קרה?",
        "service": "אף אחד לא חזר אליי. שלושה שבועות חיכיתי.",
        "product": "המכשיר התקלקל, ועכשיו הוא כבר לא נטען.",
        "bye": "פשוט תבטלי בבקשה.",
    },
}


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.parametrize("reason", ["service", "product"])
def test_churn_reason_by_the_grammar(resources: Resources, language: str, reason: str) -> None:
    c = CALLS[language]
    lines = [
        ("c1", 0.5, 3.0, c["leave"]),
        ("a1", 3.6, 6.0, c["ask"]),
        ("c1", 6.6, 11.0, c[reason]),
        ("c1", 11.6, 13.0, c["bye"]),
    ]
    assert analyze(resources, language, CUSTOMER_REP, lines).churn_reason == reason


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_move_for_a_new_job_and_a_waiting_list_are_no_service_fault(
    resources: Resources, language: str
) -> None:
    """Moving away for a new job is a reason of the customer's own; the garden's waiting list
    ("רשימת המתנה") is no waiting on the company."""
    said = {
        "en": (
            "We're moving. I got a job in Haifa, it's an hour and a half each way from here.",
            "And I feel a bit bad, there's a waiting list and I'm holding a plot I won't reach.",
        ),
        "he": (
            "אנחנו עוברים. קיבלתי עבודה בחיפה, זה שעה וחצי נסיעה לכל כיוון.",
            "ואני קצת מרגיש לא נעים, כי יש רשימת המתנה ואני תופס חלקה שאני כבר לא אגיע אליה.",
        ),
    }[language]
    c = CALLS[language]
    lines = [
        ("c1", 0.5, 3.0, c["leave"]),
        ("a1", 3.6, 6.0, c["ask"]),
        ("c1", 6.6, 12.0, said[0]),
        ("c1", 12.6, 18.0, said[1]),
        ("c1", 18.6, 20.0, c["bye"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert card.churn_reason == "other", card.churn_reason


DENIED = [
    ("en", "See, it's not about the money. They're a bit more, actually.", {"price"}),
    ("en", "Money isn't the issue.", {"price"}),
    ("en", "I don't even care if the others are cheaper or dearer.", {"price"}),
    ("en", "I don't mind paying, but nobody ever answers the phone.", {"price"}),
    ("en", "Your staff have always been lovely.", {"service"}),
    ("en", "It's not just the price, it's the service too.", set()),  # the price is one reason
    ("en", "It's gone up again.", set()),
    ("he", "הכסף הוא לא הבעיה.", {"price"}),
    ("he", "לא אכפת לי מה המחיר, אני רוצה שזה יעבוד.", {"price"}),
    ("he", "השירות אצלכם מצוין.", {"service"}),
    ("he", "זה לא המחיר רק, זה גם היחס.", set()),
]


@pytest.mark.parametrize("language, text, denied", DENIED)
def test_a_reason_denied_in_so_many_words(language: str, text: str, denied: set[str]) -> None:
    assert denied_reasons(text) == denied


def test_a_reason_waved_aside() -> None:
    """What a dismissal waves aside: the words before it, or the sentence before."""
    assert dismissed_parts("She's a bit cheaper, but honestly that's not the point.") == [
        "she's a bit cheaper but honestly "
    ]
    assert dismissed_parts("It's cheaper. That's not why, though. It works.") == ["it's cheaper"]
    assert dismissed_parts("האפליקציה שלכם תקועה. אבל זה הכי פחות חשוב.") == [
        "האפליקציה שלכם תקועה"
    ]
    assert dismissed_parts("It keeps crashing. That's why.") == []


WAVED = {
    "en": (
        "Honestly? The walks got shorter and shorter, and nobody told me why.",
        "The other one's a bit cheaper, but that's not the point.",
        "And yes, she's cheaper. It's not about the money, though.",
    ),
    "he": (
        "האמת? ההליכות נהיו קצרות יותר ויותר, ואף אחד לא הסביר לי למה.",
        "השני קצת יותר זול, אבל זה לא העניין.",
        "וכן, היא יותר זולה. הכסף הוא לא הבעיה.",
    ),
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_cheaper_rival_waved_aside_is_no_price_reason(
    resources: Resources, language: str
) -> None:
    """The customer says the rival is cheaper twice, what went wrong once, and waves the price
    aside: the reason is what went wrong."""
    c = CALLS[language]
    lines = [
        ("c1", 0.5, 3.0, c["leave"]),
        ("a1", 3.6, 6.0, c["ask"]),
        ("c1", 6.6, 12.0, WAVED[language][0]),
        ("c1", 12.6, 18.0, WAVED[language][1]),
        ("c1", 18.6, 22.0, WAVED[language][2]),
        ("c1", 22.6, 24.0, c["bye"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert card.churn_reason == "service", card.churn_reason


ASKED = {
    "en": (
        "Honestly, nobody ever rang me back, three weeks I waited.",
        "Do I owe you anything? A cancellation fee, anything like that?",
        "And is there a fee for the router? What does it cost to send it back?",
    ),
    "he": (
        "האמת, אף אחד לא חזר אליי, שלושה שבועות חיכיתי.",
        "אני חייבת לכם משהו? יש עמלה על הביטול?",
        "וכמה עולה לי להחזיר את הראוטר? יש עמלה?",
    ),
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_reason_only_asked_about_is_not_given(resources: Resources, language: str) -> None:
    """Asking about a cancellation fee twice gives no price reason; what went wrong, said once,
    is the reason."""
    c = CALLS[language]
    said = ASKED[language]
    lines = [("c1", 0.5, 3.0, c["leave"]), ("a1", 3.6, 6.0, c["ask"])]
    lines += [("c1", 6.6 + 6 * i, 11.0 + 6 * i, text) for i, text in enumerate(said)]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert card.churn_reason == "service", card.churn_reason


CHARGED = {
    "en": (
        "I'd like to cancel. You charged me twice for March and it took four calls to fix.",
        "And in April you charged me for a visit that never happened.",
    ),
    "he": (
        "אני רוצה לבטל. חייבו אותי פעמיים על מרץ, ולקח ארבע שיחות לתקן.",
        "ובאפריל חייבו אותי על ביקור שבכלל לא היה.",
    ),
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_wrong_charge_is_a_service_fault_not_the_price(
    resources: Resources, language: str
) -> None:
    c = CALLS[language]
    first, second = CHARGED[language]
    lines = [
        ("c1", 0.5, 6.0, first),
        ("a1", 6.6, 9.0, c["ask"]),
        ("c1", 9.6, 13.0, second),
        ("c1", 13.6, 15.0, c["bye"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert card.churn_reason == "service", card.churn_reason
