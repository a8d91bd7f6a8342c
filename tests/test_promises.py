"""own_the_follow_up's grammar of promises (app/rubrics/promises.py), in English and Hebrew: a
promise to check in wordings no phrase list has, the time it names, a step the rep takes on;
and the rubric's verdicts on short calls that say them."""

from __future__ import annotations

import pytest

from app.pipeline.resources import Resources
from app.rubrics.promises import names_a_time, promises_to_check, takes_on_a_step
from tests.test_rubrics import CUSTOMER_REP, analyze

PROMISES = [
    "Someone from our billing team will look into whether there's any flexibility on that.",
    "I'll make sure somebody checks why the settlement came in so low.",
    "We're going to review the charges and get back to you.",
    "מישהו מהצוות שלנו יבדוק את זה ויחזור אלייך.",
    "נברר מה קרה עם החיוב.",
]
NOT_PROMISES = [
    "Let me check your account.",  # on the line, while the customer waits
    "One moment, I'll look at the invoice.",
    "We'll always take care of you here.",
    "They will cancel it at the end of the month.",
    "רגע, אני אבדוק את החשבון.",
    "אם תחזור אלינו, נשמח.",  # the customer coming back
]
TIMES = [
    "before five today",
    "on the twenty-fifth",
    "within forty-eight hours",
    "by ten thirty",
    "next week",
    "עד שתיים",
    "מחר בבוקר",
    "תוך שלושה ימי עסקים",
    "בעשרים לחודש",
]
NO_TIMES = [
    "I'll call you back.",
    "We've been with you for five years.",
    "אני אבדוק ואחזור אלייך",
    "זה עולה עשרה שקלים",
]


@pytest.mark.parametrize("text", PROMISES)
def test_a_promise_to_check_in_any_words(text: str) -> None:
    assert promises_to_check(text)


@pytest.mark.parametrize("text", NOT_PROMISES)
def test_checking_now_or_a_slogan_is_no_promise_to_check(text: str) -> None:
    assert not promises_to_check(text)


@pytest.mark.parametrize("text", TIMES)
def test_names_a_time(text: str) -> None:
    assert names_a_time(text)


@pytest.mark.parametrize("text", NO_TIMES)
def test_names_no_time(text: str) -> None:
    assert not names_a_time(text)


def test_a_step_taken_on_needs_its_time() -> None:
    assert takes_on_a_step("I'll email you the new schedule before five today.")
    assert takes_on_a_step("ומחר עד שתיים אני שולחת לך אישור בכתב.")
    assert not takes_on_a_step("I'll email you the new schedule.")
    assert not takes_on_a_step("אני שולחת לך אישור בכתב.")


CALLS = {
    "en": {
        "leave": "I want to cancel, the last two invoices were wrong.",
        "ask": "I'm sorry. Can I ask what happened with them?",
        "why": "They charged us for twenty desks when we have twelve.",
        "vague": "I hear you. Someone from our team will look into whether there's any "
        "flexibility on that.",
        "concrete": "I've corrected both. I'll email you the new invoices before five today.",
        "bye": "Okay. Thanks, bye.",
    },
    "he": {
        "leave": "אני רוצה לבטל, שתי החשבוניות האחרונות היו שגויות.",
        "ask": "אני מצטערת. אפשר לשאול מה קרה איתן?",
        "why": "חייבו אותנו על עשרים עמדות כשיש לנו שתים עשרה.",
        "vague": "אני שומעת אותך. מישהו מהצוות שלנו יבדוק אם יש גמישות בזה.",
        "concrete": "תיקנתי את שתיהן. מחר עד שתיים אני שולחת לך במייל את החשבוניות החדשות.",
        "bye": "אוקיי. תודה, ביי.",
    },
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_own_the_follow_up_by_the_grammar(resources: Resources, language: str) -> None:
    c = CALLS[language]

    def verdict(rep_line: str) -> str:
        lines = [
            ("c1", 0.5, 4.0, c["leave"]),
            ("a1", 4.6, 7.0, c["ask"]),
            ("c1", 7.6, 11.0, c["why"]),
            ("a1", 11.6, 16.0, c[rep_line]),
            ("c1", 16.6, 18.0, c["bye"]),
        ]
        return (
            analyze(resources, language, CUSTOMER_REP, lines).verdicts["own_the_follow_up"].verdict
        )

    assert verdict("vague") == "fail"
    assert verdict("concrete") == "pass"
