"""say_we_want_you's grammar (app/rubrics/asks_to_stay.py), in English and Hebrew: the speaker
wanting the customer to stay, or not wanting to lose them, in wordings no phrase list has; the
near misses that are not; and the rubric's verdict on short calls that say them."""

from __future__ import annotations

import pytest

from app.pipeline.resources import Resources
from app.rubrics.asks_to_stay import asks_to_stay
from tests.test_rubrics import CUSTOMER_REP, analyze

ASKS = [
    "Is there any way I can convince you to stay?",
    "Is there anything I could do to keep you?",
    "בכנות, ממש חבל לי לראות אותך הולך, אתה איתנו הרבה זמן.",
    "יש דרך שאשכנע אותך להישאר?",
    "מה אני יכולה לעשות כדי לשמור אותך איתנו?",
    "And just so it's said out loud, we really want you to keep riding with us, Jamal.",
    "And honestly, I don't want to lose your family over this.",
    "We'd genuinely hate to see you go.",
    "ותדעי שחשוב לי באמת שנועה תמשיך איתנו.",
    "רציתי רק להגיד שחשוב לנו מאוד שתישארי איתנו.",
    "אני באמת לא רוצה לאבד אותך.",
]
NOT_ASKS = [
    "I'll do what I can to keep you updated on the repair.",
    "אני אעשה הכל כדי לשמור אותך מעודכן.",
    "If you want to stay on the plan, that works.",
    "Do you want to tell me what's been going on?",
    "I want to make sure I've got it right.",
    "חשוב לי שתדעי שהחיוב יורד מהחודש הבא.",
    "את רוצה להישאר על המסלול הנוכחי?",
]


@pytest.mark.parametrize("text", ASKS)
def test_saying_we_want_you_in_any_words(text: str) -> None:
    assert asks_to_stay(text)


@pytest.mark.parametrize("text", NOT_ASKS)
def test_a_question_or_a_notice_is_no_ask_to_stay(text: str) -> None:
    assert asks_to_stay(text) is None


CALLS = {
    "en": (
        "I'd like to cancel, the bike keeps dying on me.",
        "I'm sorry. We really want you to keep riding with us, Jamal.",
        "I'm sorry. I'll book the swap for Thursday.",
    ),
    "he": (
        "אני רוצה להפסיק, אין לה זמן להתאמן.",
        "מבינה לגמרי. ותדעי שחשוב לי באמת שנועה תמשיך איתנו.",
        "מבינה לגמרי. אני אבדוק מה אפשר לעשות עם השעות.",
    ),
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_say_we_want_you_by_the_grammar(resources: Resources, language: str) -> None:
    leave, asked, other = CALLS[language]

    def verdict(rep_line: str) -> str:
        lines = [("c1", 0.5, 4.0, leave), ("a1", 4.6, 9.0, rep_line)]
        return analyze(resources, language, CUSTOMER_REP, lines).verdicts["say_we_want_you"].verdict

    assert verdict(asked) == "pass"
    assert verdict(other) == "fail"
