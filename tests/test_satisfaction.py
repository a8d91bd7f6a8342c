"""satisfaction_check's grammar (app/rubrics/satisfaction.py), in English and Hebrew: a casual
question after anything else or the customer being all right with it; statements and questions
about the reason are not; and the rubric's verdict on short calls that ask it."""

from __future__ import annotations

import pytest

from app.pipeline.resources import Resources
from app.rubrics.satisfaction import checks_satisfaction
from tests.test_rubrics import CUSTOMER_REP, analyze

CHECKS = [
    "The free month's on your account now. Anything else bugging you, or are we all good?",
    "How does all that sound? Anything else bugging you about the service while I've got you?",
    "Before you dash off to Harlow, anything else on the account niggling at you?",
    "הכל בסדר חוץ מזה? האוכל, השליחים, השעות?",
    "ולפני שאני משחררת אותך, ככה זה טוב לך?",
    "את מרוצה מאיך שסגרנו את זה?",
]
NOT_CHECKS = [
    "Is there anything else you want to tell me about what happened.",  # not a question
    "What made you decide to leave?",
    "I'll email you the confirmation before six.",
    "ממה את לא מרוצה?",  # the reason for leaving
    "הכל בסדר, החשבון סגור.",
]


@pytest.mark.parametrize("text", CHECKS)
def test_a_satisfaction_check_in_any_words(text: str) -> None:
    assert checks_satisfaction(text)


@pytest.mark.parametrize("text", NOT_CHECKS)
def test_a_statement_or_a_reason_question_is_no_satisfaction_check(text: str) -> None:
    assert checks_satisfaction(text) is None


CALLS = {
    "en": (
        "Okay, the two meals a week sounds fine.",
        "Great. Anything else bugging you, or are we all good?",
        "Great. I've put the hold on for the next two weeks.",
        "No, that's all. Thanks.",
    ),
    "he": (
        "אוקיי, פעם בשבועיים נשמע בסדר.",
        "מעולה. הכל בסדר חוץ מזה? האוכל, השליחים, השעות?",
        "מעולה. הכנסתי את השינוי למערכת.",
        "לא, זהו. תודה.",
    ),
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_satisfaction_check_by_the_grammar(resources: Resources, language: str) -> None:
    agreed, checked, closed, bye = CALLS[language]

    def verdict(rep_line: str) -> str:
        lines = [("c1", 0.5, 4.0, agreed), ("a1", 4.6, 9.0, rep_line), ("c1", 9.6, 11.0, bye)]
        return (
            analyze(resources, language, CUSTOMER_REP, lines).verdicts["satisfaction_check"].verdict
        )

    assert verdict(checked) == "pass"
    assert verdict(closed) == "fail"
