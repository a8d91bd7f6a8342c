"""find_real_reason's grammars (app/rubrics/reasons.py), in English and Hebrew: a question about
what is behind the decision and a restatement of it, in wordings no phrase list has, the near
misses that are neither; and the rubric's verdicts on short calls that say them."""

from __future__ import annotations

import pytest

from app.pipeline.resources import Resources
from app.rubrics.reasons import asks_the_reason, restates
from tests.test_rubrics import CUSTOMER_REP, analyze

REASON_QUESTIONS = [
    "I can do that. Was it something we did?",
    "אני יכולה. זה משהו שעשינו?",
    "You did. Can I ask what's prompted it?",
    "Sure. What's happened?",
    "Ah, is it the Saturday session moving to the eight o'clock slot?",
    "Is it only the swimming, or has something at the club put him off?",
    "And why is that, if you don't mind me asking?",
    "אוקיי. ומה בסוף הכריע אצלך?",
    "זה בגלל המחיר החדש?",
    "משהו אצלנו הפריע לך?",
    "למה דווקא עכשיו?",
]
NOT_REASON_QUESTIONS = [
    "זה משהו שעשינו אתמול.",  # said, not asked
    "Why don't we freeze it for three months instead?",
    "What's happened is that the price went up in March.",  # an answer, not a question
    "Would it help if I took ten percent off?",
    "Is that okay with you?",
    "למה שלא ננסה חודש בחינם?",
    "זה רק לחודש אחד?",
    "אפשר להקפיא לך את המנוי?",
]
RESTATEMENTS = [
    "Gary, can I stop you there? I just want to make sure I've got it all. The pipe went in "
    "February and nobody came on the Thursday.",
    "To recap, the bill doubled and nobody told you.",
    "Okay, so the battery has died three times since August, each swap took a week, and you "
    "can't trust it in the morning. Is that fair?",
    "אז אם אני מסכמת: המשלוחים התייקרו ומה שהבטיחו לך לא קרה.",
    "רק כדי לוודא שהבנתי: הסוללה מתה שלוש פעמים מאז אוגוסט וכל החלפה לקחה שבוע. נכון?",
    "Oh, okay. So you've been running both side by side.",
    "Right, okay. So he's just not been coming.",
    "אהה, אז בעצם אתה משלם על ארבע שטיפות בחודש ומשתמש בחצי.",
]
NOT_RESTATEMENTS = [
    "You're on the full cover, right?",  # one fact checked, not a summary
    "I'll make sure the refund goes through today.",
    "Is that right? The new plan starts on the first.",
    "יש לך את החבילה המלאה, נכון?",
    "אני אדאג שההחזר יעבור היום.",
    "So you'd pay half from next month.",  # what they would get is an offer
    "And just so you have the full picture, we've got client summaries now.",
    "אז בעצם תשלם חצי מהחודש הבא.",
]


@pytest.mark.parametrize("text", REASON_QUESTIONS)
def test_a_question_about_the_reason_in_any_words(text: str) -> None:
    assert asks_the_reason(text)


@pytest.mark.parametrize("text", NOT_REASON_QUESTIONS)
def test_an_offer_or_an_answer_is_no_question_about_the_reason(text: str) -> None:
    assert asks_the_reason(text) is None


@pytest.mark.parametrize("text", RESTATEMENTS)
def test_a_restatement_announced_or_checked(text: str) -> None:
    assert restates(text)


@pytest.mark.parametrize("text", NOT_RESTATEMENTS)
def test_a_fact_checked_or_a_promise_is_no_restatement(text: str) -> None:
    assert restates(text) is None


CALLS = {
    "en": {
        "leave": "Hi, I emailed you. I probably won't be renewing in March.",
        "ask": "I'd rather ring you than send something automated. Can I ask what's prompted it?",
        "chat": "I'd rather ring you than send something automated back.",
        "why": "The renewal letter came and it's gone up to two hundred and nine.",
        "offer": "If I put the long-standing member discount on, it comes to a hundred and "
        "twenty-six.",
        "bye": "Go on, then.",
    },
    "he": {
        "leave": "היי, שלחתי לכם מייל. כנראה שלא אחדש במרץ.",
        "ask": "העדפתי להתקשר ולא לשלוח תשובה אוטומטית. ומה בסוף הכריע אצלך?",
        "chat": "העדפתי להתקשר ולא לשלוח תשובה אוטומטית.",
        "why": "הגיע מכתב חידוש והמחיר קפץ למאתיים ותשע.",
        "offer": "אם אני מוסיפה את ההנחה לוותיקים, זה יוצא מאה עשרים ושש.",
        "bye": "יאללה, בסדר.",
    },
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_find_real_reason_by_the_grammar(resources: Resources, language: str) -> None:
    c = CALLS[language]

    def verdict(rep_line: str) -> str:
        lines = [
            ("c1", 0.5, 4.0, c["leave"]),
            ("a1", 4.6, 9.0, c[rep_line]),
            ("c1", 9.6, 13.0, c["why"]),
            ("a1", 13.6, 18.0, c["offer"]),
            ("c1", 18.6, 20.0, c["bye"]),
        ]
        return (
            analyze(resources, language, CUSTOMER_REP, lines).verdicts["find_real_reason"].verdict
        )

    assert verdict("ask") == "pass"
    assert verdict("chat") == "fail"


PITCH_FIRST = [
    ("a1", 0.4, 6.0, "שלום אפרת, מדבר עידו מנסיעה עסקית. ראיתי שביקשתם לא לחדש, ורציתי לדבר רגע."),
    ("c1", 6.6, 14.0, "כן, היי. עוד לא החלטנו סופית. משהו לא מרגיש כמו פעם."),
    (
        "a1",
        14.6,
        24.0,
        "אני מבין. אז רק שתדעי, בחודשים האחרונים הוספנו המון דברים. יש עכשיו דוח הוצאות חודשי "
        "אוטומטי לכל מחלקה, שנשלח ישר להנהלת החשבונות שלכם.",
    ),
    ("c1", 24.6, 27.0, "אוקיי."),
    ("a1", 27.6, 33.0, "ואם תישארו, אני יכול לתת לכם עשרה אחוז הנחה לרבעון הבא."),
    ("c1", 33.6, 35.0, "נחשוב על זה."),
]


def test_a_pitch_that_sounds_understanding_does_not_reach_the_reason(
    resources: Resources,
) -> None:
    """ "I understand. Just so you know, we've added a lot…" resembles a restatement, but it sells:
    the offer after it still comes before anyone asked what is behind the decision."""
    v = analyze(resources, "he", CUSTOMER_REP, PITCH_FIRST).verdicts["find_real_reason"]
    assert v.verdict == "fail", v.reason
