"""The customer calling off their own cancellation (app/engine/withdraws.py), in English and
Hebrew: a decision to stay however long after an offer it comes; a question, a condition or a
no withdraws nothing; and the scorecard's outcome on short calls that say it."""

from __future__ import annotations

import pytest

from app.engine.withdraws import cancellation_done, withdraws_cancellation
from app.pipeline.resources import Resources
from tests.test_rubrics import CUSTOMER_REP, analyze

WITHDRAWS = [
    "Okay, take the cancellation off then.",
    "Fine. Withdraw my cancellation request, we'll see how March goes.",
    "Alright, scrap the notice, I'll carry on.",
    "Stop the cancellation, okay? But I want that call tomorrow.",
    "Please leave the account open.",
    "טוב. תוריד את הבקשה שלי לסגירה, בסדר? אבל מחר עד עשר אני מחכה לטלפון.",
    "אוקיי, תבטלי את הביטול.",
    "תשכחי מהביטול, אני ממשיכה.",
    "אל תבטלי, אני נשארת.",
    "תשאירו את המנוי פעיל.",
]
NOT_WITHDRAWN = [
    "Can I withdraw the cancellation later if it doesn't work out?",
    "If I take the cancellation off, does the price stay the same?",
    "I don't want to cancel the cancellation, just close it.",
    "I'm not withdrawing the notice.",
    "No, just cancel it.",
    "Is there a charge for the notice period?",
    "אם אני מורידה את הבקשה, המחיר נשאר?",
    "אני לא מבטלת את הבקשה, תסגרי את החשבון.",
    "אפשר לבטל את הביטול אחר כך?",
    "פשוט תבטלי את המנוי.",
]


@pytest.mark.parametrize("text", WITHDRAWS)
def test_calling_off_the_cancellation(text: str) -> None:
    assert withdraws_cancellation(text)


@pytest.mark.parametrize("text", NOT_WITHDRAWN)
def test_a_question_a_condition_or_a_no_withdraws_nothing(text: str) -> None:
    assert withdraws_cancellation(text) is None


CALLS = {
    "en": [
        "Hi, I'm calling to cancel my plan, the engineer never turned up.",
        "I'm so sorry. What if I credited you the last two months on top of the visit tomorrow?",
        "That's kind of you, but what I really need is the heating working.",
        "Understood. And honestly, we'd like to keep you: six years with us.",
        "Sure. It's been a rough three weeks, I've had cold showers since the start of the month.",
        "That's awful, I'm sorry. The engineer will ring you first thing.",
        {
            "saved": "Okay. Withdraw the cancellation request, then. I'm waiting for that call.",
            "not": "No. I'm not taking the cancellation off, just close it.",
        },
        "Thanks, bye.",
    ],
    "he": [
        "היי, אני מתקשרת לבטל, הטכנאי לא הגיע כבר שלוש פעמים.",
        "אני מצטער מאוד. מה אם אזכה אותך על החודשיים האחרונים, חוץ מהביקור מחר?",
        "זה יפה מצדך, אבל מה שאני באמת צריכה זה מים חמים.",
        "מובן. ואני אגיד לך בכנות, אני רוצה שתישארי איתנו, שש שנים את לקוחה שלנו.",
        "כן. היו שלושה שבועות קשים, אני מתקלחת במים קרים מתחילת החודש.",
        "זה נורא, אני מצטער. הטכנאי יתקשר אלייך מחר בבוקר.",
        {
            "saved": "טוב. תוריד את הבקשה שלי לסגירה, בסדר? אבל מחר אני מחכה לטלפון.",
            "not": "לא. אני לא מורידה את הבקשה, תסגור את החשבון.",
        },
        "תודה, ביי.",
    ],
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_calling_it_off_long_after_the_offer_saves_the_call(
    resources: Resources, language: str
) -> None:
    """The customer calls the cancellation off half a minute after the last offer, with other
    talk between: not a reply to the offer, still a decision to stay."""
    texts = CALLS[language]
    people = ["c1", "a1", "c1", "a1", "c1", "a1", "c1", "a1"]
    outcomes = {}
    for variant in ("saved", "not"):
        lines, t = [], 0.5
        for speaker, text in zip(people, texts, strict=True):
            said = text[variant] if isinstance(text, dict) else text
            lines.append((speaker, t, t + 8.0, said))
            t += 9.0
        outcomes[variant] = analyze(resources, language, CUSTOMER_REP, lines).outcome
    assert outcomes["saved"] == "saved"
    assert outcomes["not"] != "saved"


DONE = [
    "Okay, it's cancelled from the end of the month.",
    "Done, your account is closed.",
    "The cancellation has been processed, you'll get an email.",
    "I've cancelled your membership.",
    "בסדר, זה מבוטל מסוף החודש.",
    "סגרתי, החשבון שלך סגור.",
    "הביטול נקלט, תקבלי מייל.",
    "ביטלתי לך את המנוי.",
    # carried out as the rep speaks
    "Right. So I'm cancelling it now, effective today.",
    "I'll close the account for you today.",
    "אני מבטלת לך את זה עכשיו.",
    "אז ככה, אני סוגרת לך עכשיו את המנוי.",
    "חחח, בשביל העיקרון. טוב, אני מבטל.",
    "זהו, מבוטל. מהחודש הבא לא יהיה חיוב בכרטיס.",
    "Done, cancelled. You won't hear from us again.",
]
NOT_DONE = [
    "Your old plan is cancelled and the new one starts Monday.",  # a change of plan
    "It isn't cancelled yet, I can still stop it.",
    "Is the account closed now?",
    "The duplicate charge? It's cancelled.",
    "I've cancelled the second charge.",
    "המנוי עוד לא מבוטל.",
    "החיוב הכפול? זה מבוטל.",
    "ביטלתי את החיוב הכפול.",
    "המסלול הישן מבוטל, והחדש מתחיל ביום ראשון.",
    "Should I cancel it now?",
    "Before I cancel it, can I ask why?",
    "I'm not cancelling it today.",
    "אני לא מבטלת את זה היום.",
    "The double charge? Done, cancelled.",  # a charge cancelled
    "החיוב הכפול? זהו, מבוטל.",
    "אני מבטל את החיוב הכפול.",
]


@pytest.mark.parametrize("text", DONE)
def test_the_company_carrying_the_cancellation_out(text: str) -> None:
    assert cancellation_done(text)


@pytest.mark.parametrize("text", NOT_DONE)
def test_a_charge_a_change_of_plan_or_not_yet_is_no_departure(text: str) -> None:
    assert cancellation_done(text) is None


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_cancellation_carried_out_at_the_end_is_churned(
    resources: Resources, language: str
) -> None:
    said = {
        "en": ("Please close my account.", "Done, your account is closed.", "Thanks, bye."),
        "he": ("תסגרי לי את החשבון בבקשה.", "סגרתי, החשבון שלך סגור.", "תודה, ביי."),
    }[language]
    lines = [("c1", 0.5, 5.0, said[0]), ("a1", 5.6, 9.0, said[1]), ("c1", 9.6, 11.0, said[2])]
    assert analyze(resources, language, CUSTOMER_REP, lines).outcome == "churned"
