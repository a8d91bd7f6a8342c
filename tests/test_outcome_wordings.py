"""The outcome of a short call from the customer's last word after an offer, in wordings of
our own (not from any labelled set), in English and Hebrew: taking it, leaving, putting it off."""

from __future__ import annotations

import pytest

from app.pipeline.resources import Resources
from tests.test_rubrics import CUSTOMER_REP, analyze

OPENING = {
    "en": (
        "I'm thinking of leaving, the price keeps going up.",
        "I hear you. What if I kept you on this year's price for twelve months?",
        "Okay, thanks for calling.",
    ),
    "he": (
        "אני חושב לעזוב, המחיר כל הזמן עולה.",
        "אני שומעת. מה אם אשאיר לך את המחיר של השנה לשנים עשר חודשים?",
        "בסדר, תודה שהתקשרת.",
    ),
}
LAST_WORD = [
    ("en", "saved", "Go on, lock it in then."),
    ("en", "saved", "Alright, you've got me. Keep me on it."),
    ("en", "saved", "That's fair enough, I'll carry on with you."),
    ("en", "saved", "If you can guarantee that in writing, then fine, I'm in."),
    ("en", "churned", "No, I've already signed up elsewhere, so please just close it."),
    ("en", "churned", "That's kind, but I'm done. Cancel it, please."),
    ("en", "churned", "Honestly, it's too late for that. I want out."),
    ("en", "undecided", "Let me sleep on it and I'll ring you back on Monday."),
    ("en", "undecided", "I'll have to run it past my husband first."),
    ("en", "undecided", "Maybe. I need to compare it with the other quote first."),
    ("he", "saved", "יאללה, תנעלי לי את זה."),
    ("he", "saved", "טוב, תפסת אותי. תשאירי אותי על זה."),
    ("he", "saved", "זה הוגן, אני ממשיך איתכם."),
    ("he", "saved", "אם את שולחת לי את זה בכתב, אז בסדר, אני בפנים."),
    ("he", "churned", "לא, כבר נרשמתי במקום אחר, אז פשוט תסגרי את זה."),
    ("he", "churned", "זה נחמד, אבל סיימתי. תבטלי בבקשה."),
    ("he", "churned", "בכנות, זה מאוחר מדי. אני רוצה לצאת."),
    ("he", "undecided", "אני אשן על זה ואחזור אלייך ביום שני."),
    ("he", "undecided", "אני צריכה לבדוק את זה קודם עם בעלי."),
    ("he", "undecided", "אולי. אני צריך להשוות את זה קודם להצעה השנייה."),
    # not leaving, for now: put off
    ("en", "undecided", "Fine. I'm not cancelling today, but I'm not promising anything either."),
    ("en", "saved", "Fine. I'm not cancelling, then. Thanks."),
    ("he", "undecided", "טוב. בינתיים אני לא מבטלת, אבל גם לא מבטיחה כלום."),
    ("he", "saved", "טוב, אני לא מבטלת. תודה."),
    ("he", "saved", "טוב. אז אני לא עוזבת. אבל אני סומכת עלייך."),
    ("en", "churned", "I appreciate it, but I'd rather cancel and be done."),
    ("he", "churned", "אני מעריכה, אבל אני מעדיפה לבטל."),
]


@pytest.mark.parametrize("language, want, text", LAST_WORD)
def test_the_customers_last_word_decides(
    resources: Resources, language: str, want: str, text: str
) -> None:
    why, offer, bye = OPENING[language]
    lines = [
        ("c1", 0.5, 5.0, why),
        ("a1", 5.6, 10.0, offer),
        ("c1", 10.6, 15.0, text),
        ("a1", 15.6, 17.0, bye),
    ]
    assert analyze(resources, language, CUSTOMER_REP, lines).outcome == want


TURN = {
    "en": ("Huh. I didn't know you did that.", "Okay, let's do it."),
    "he": ("וואלה, זה הוגן. לא ידעתי שיש דבר כזה.", "אוקיי, יאללה, בואי נעשה את זה."),
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_yes_later_in_the_customers_turn_takes_the_offer(
    resources: Resources, language: str
) -> None:
    """The reply to an offer is the customer's whole turn: a remark first, then the yes."""
    why, offer, bye = OPENING[language]
    remark, yes = TURN[language]
    lines = [
        ("c1", 0.5, 5.0, why),
        ("a1", 5.6, 10.0, offer),
        ("c1", 10.6, 13.0, remark),
        ("c1", 13.4, 15.0, yes),
        ("a1", 15.6, 17.0, bye),
    ]
    assert analyze(resources, language, CUSTOMER_REP, lines).outcome == "saved"
