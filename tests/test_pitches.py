"""no_reselling's grammar of a pitch (app/rubrics/pitches.py), in English and Hebrew: news of
the product, asking whether the customer knows it, today's product against yesterday's or the
market's, in wordings no phrase list has; the concessions and history that are none of these;
and the rubric's verdicts on short calls that say them."""

from __future__ import annotations

import pytest

from app.pipeline.resources import Resources
from app.rubrics.pitches import pitches
from tests.test_rubrics import CUSTOMER_REP, analyze

PITCHES = [
    "Can I tell you about something? We just brought out five minute lessons.",
    "And there's a photo report after every walk now.",
    "Before I close it, do you know what Plus includes these days?",
    "We keep thirty days of clips now, and the detection is a lot sharper than it used to be.",
    "Since your last review we've put remote monitoring on every car we look after.",
    "We're the only ones in the area who use food-safe products.",
    "ואתה יודע שיצא לנו עכשיו דגם חדש עם מים מוגזים?",
    "רק שתדע שהוספנו עכשיו אימוני יוגה בשידור חי.",
    "ותגיד, ידעת שיש לנו גם ספרי שמע באפליקציה?",
    "אצלם אין אולמות וי איי פי, אצלנו פתחו עכשיו אולמות עם כורסאות נשכבות.",
    "אנחנו היחידים באזור שעובדים רק עם חומרים מאושרים.",
    # against the market, what it's worth
    "Just so you're comparing apples to apples, ours includes the fall aeration.",
    "A lot of the cheaper outfits either charge extra for that or quietly skip it.",
    "With the new door operators we're seeing energy savings of around thirty percent.",
    "אצלנו זה כולל אוורור, ורוב הזולים גובים על זה תוספת.",
    "אנחנו רואים חיסכון של שלושים אחוז באנרגיה.",
]
NOT_PITCHES = [
    "I've added a month's credit to your account.",  # a concession
    "We've launched a cheaper plan, half the price of yours.",  # an offer
    "You've been with us since we launched in your area.",  # history
    "Thank you for your patience, I know we've put you through a lot.",
    "There's nothing more to pay now.",
    "The account is closed now.",
    "הוספנו לך זיכוי של חודש לחשבון.",
    "יש לנו מסלול חדש בחצי מחיר.",
    "אתה איתנו כבר ארבע שנים.",
    "We're seeing a lot of calls today, sorry for the wait.",
    "I can take thirty percent off for the next three months.",
]


@pytest.mark.parametrize("text", PITCHES)
def test_a_pitch_in_any_words(text: str) -> None:
    assert pitches(text)


@pytest.mark.parametrize("text", NOT_PITCHES)
def test_a_concession_or_history_is_no_pitch(text: str) -> None:
    assert pitches(text) is None


CALLS = {
    "en": {
        "leave": "Hi, I'd like to cancel my membership, please.",
        "ask": "Of course. Can I ask what's changed?",
        "why": "I just don't get time to use it with the new baby.",
        "pitch1": "Can I tell you about something? We just brought out five minute lessons.",
        "pitch2": "And there's a photo report after every lesson now.",
        "offer1": "How would it be if we froze the plan for six months instead?",
        "offer2": "I'll make sure nothing is charged while it's frozen.",
        "bye": "Okay, thanks.",
    },
    "he": {
        "leave": "היי, אני רוצה לבטל את המנוי בבקשה.",
        "ask": "בטח. אפשר לשאול מה השתנה?",
        "why": "פשוט אין לי זמן להשתמש בזה עם התינוק.",
        "pitch1": "ואתה יודע שיצא לנו עכשיו דגם חדש עם מים מוגזים?",
        "pitch2": "רק שתדע שהוספנו עכשיו אימוני יוגה בשידור חי.",
        "offer1": "מה דעתך שנקפיא לך את המנוי לחצי שנה?",
        "offer2": "אני אדאג ששום דבר לא יחויב בזמן ההקפאה.",
        "bye": "אוקיי, תודה.",
    },
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_no_reselling_by_the_grammar(resources: Resources, language: str) -> None:
    c = CALLS[language]

    def verdict(first: str, second: str) -> str:
        lines = [
            ("c1", 0.5, 4.0, c["leave"]),
            ("a1", 4.6, 7.0, c["ask"]),
            ("c1", 7.6, 11.0, c["why"]),
            ("a1", 11.6, 16.0, c[first]),
            ("c1", 16.6, 18.0, c["bye"]),
            ("a1", 18.6, 23.0, c[second]),
            ("c1", 23.6, 25.0, c["bye"]),
        ]
        return analyze(resources, language, CUSTOMER_REP, lines).verdicts["no_reselling"].verdict

    assert verdict("pitch1", "pitch2") == "fail"
    assert verdict("offer1", "offer2") == "pass"
