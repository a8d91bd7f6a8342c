"""no_badmouthing's grammar (app/rubrics/badmouthing.py), in English and Hebrew: a confidential
aside or someone of the company as the subject, with a judgement against them; owning the
failure as the company's is not running anyone down; and the rubric's verdict on short calls."""

from __future__ import annotations

import pytest

from app.pipeline.resources import Resources
from app.rubrics.badmouthing import runs_down, speaks_of_someone
from tests.test_rubrics import CUSTOMER_REP, analyze

RUNS_DOWN = [
    "Sadly some of my colleagues just don't listen.",
    "Our installers aren't the sharpest, I'll admit.",
    "המתקינים שלנו הם לא הכי חכמים, אני מודה.",
    "הנציגים שם פשוט לא מקשיבים.",
    "Between you and me, billing isn't exactly famous for getting things right the first time.",
    "Between you and me, the claims desk for your region has been in a state for months.",
    "Between us, they'll sell you the annual bundle and forget to show you where the exit is.",
    "And between us, the support queue is where tickets go for a lie-down.",
    "ובינינו, הפקידה שטיפלה בתיק שלך בחודשים האחרונים היא לא הכי חזקה אצלנו.",
    "ובינינו, אני לא מתפלאת. שלומי, שהיה מגיע אלייך, היה חלש.",
]
NOT_RUNS_DOWN = [
    "Our engineers don't check the valve unless it's on the job sheet, so I've added it.",
    "My colleague in billing is the best person for this, I'll put you through to her.",
    "הטכנאים שלנו לא עובדים בשבת, אז קבעתי לך ליום ראשון בבוקר.",
    "I'm sorry, we dropped the ball on this, that's on us.",
    "Because it shows here he was added from your account.",  # blame, not a colleague
    "Between us, I can do an extra ten percent if it helps.",
    "The support team will call you at ten tomorrow.",
    "זה עלינו, הצוות שלנו פישל ואני מתנצלת.",
    "הטכנאי יגיע מחר בשמונה.",
    # the judgement is of a thing, the colleague named after it
    "בקיץ הקירור ברכב עבד חלש, והארגז חיכה אצל השליח כמה שעות.",
]
SPEAKS_OF_SOMEONE = [
    "Yeah, that was Kyle. He's not with us any more.",
    "מי שדיבר איתך אז כנראה לא הסביר לך את זה נכון.",
    "יש שם כמה נציגים חדשים שעוד לומדים.",
    "Between us, the new system is slow.",
]
SPEAKS_OF_NO_ONE = [
    "איזה כיף לשמוע. ותגיד, מה אתה שולח בדרך כלל? חולצות, מצעים?",
    "The cancellation notices go to the whole group, you'd see them earlier with alerts on.",
    "Great, I'll note that down for you.",
]


@pytest.mark.parametrize("text", SPEAKS_OF_SOMEONE)
def test_words_that_speak_of_someone(text: str) -> None:
    assert speaks_of_someone(text)


@pytest.mark.parametrize("text", SPEAKS_OF_NO_ONE)
def test_words_that_speak_of_no_one_run_no_one_down(text: str) -> None:
    """A resemblance to the rubric's examples in words that speak of no one is not counted."""
    assert not speaks_of_someone(text)


@pytest.mark.parametrize("text", RUNS_DOWN)
def test_running_down_a_colleague_in_any_words(text: str) -> None:
    assert runs_down(text)


@pytest.mark.parametrize("text", NOT_RUNS_DOWN)
def test_owning_it_or_a_plain_fact_is_not_running_anyone_down(text: str) -> None:
    assert runs_down(text) is None


CALLS = {
    "en": (
        "The last two invoices were wrong and nobody fixed them.",
        "Sorry about that one. Between you and me, billing isn't exactly famous for getting "
        "things right.",
        "Sorry about that one. I've corrected both invoices today.",
    ),
    "he": (
        "שתי החשבוניות האחרונות היו שגויות ואף אחד לא תיקן.",
        "סליחה על זה. ובינינו, הפקידה שטיפלה בתיק שלך היא לא הכי חזקה אצלנו.",
        "סליחה על זה. תיקנתי היום את שתי החשבוניות.",
    ),
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_no_badmouthing_by_the_grammar(resources: Resources, language: str) -> None:
    complaint, ran_down, owned = CALLS[language]

    def verdict(rep_line: str) -> str:
        lines = [("c1", 0.5, 4.0, complaint), ("a1", 4.6, 9.0, rep_line)]
        return analyze(resources, language, CUSTOMER_REP, lines).verdicts["no_badmouthing"].verdict

    assert verdict(ran_down) == "fail"
    assert verdict(owned) == "pass"
