"""Offers told by their grammar (app/rubrics/offers.py), in English and Hebrew: a proposal of
another arrangement with what the customer gains by it, whatever the tool is called; questions
about the customer and proposals that gain them nothing are not offers. On short calls: such an
offer counts for offer_limit, and a customer who first asks about it and then says yes takes
it (the outcome)."""

from __future__ import annotations

import pytest

from app.pipeline.resources import Resources
from app.rubrics.offers import proposes
from tests.test_rubrics import CUSTOMER_REP, analyze

PROPOSALS = [
    "How about a lesson every other week instead of every week? You'd pay half.",
    "What would you say to fortnightly deliveries? It costs less, and nothing else changes.",
    "I could move you to the weekend box at no extra charge.",
    "Would you consider the basic plan instead of cancelling outright?",
    "מה את אומרת על שיעור פעם בשבועיים במקום כל שבוע? ככה את משלמת חצי.",
    "מה דעתך על משלוח פעם בחודש, בלי תוספת?",
    "אני יכולה להעביר אותך למסלול הבסיסי במקום לבטל.",
    "מה אם נעבור לפעם בשבועיים? התשלום יורד בהתאם.",
    # the rep committing to it, the gain said as given
    "With everything going on, I'm going to waive the cleaning fee this year.",
    "Rather than closing it, I can pause the whole thing until you're back in March.",
    "Let me take the next two months off your bill while we sort it out.",
    "אני רוצה להחליף לך את המכשיר לדגם אחר, בלי שום תוספת במחיר.",
    "על החודשים שסבלת, אני מזכה אותך בחודש מלא בחשבון הבא.",
    "יש לי רעיון. יש אצלנו מסלול לפי שקית, בלי דמי מנוי בכלל.",
]
NOT_OFFERS = [
    "How about your son, does he still go instead of football?",
    "What about the time, is the morning slot cheaper for you?",
    "I could check that with the teacher tonight.",  # a step, nothing gained
    "Every other week the van comes to your street anyway.",  # no proposal
    "מה את אומרת על זה? זה במקום מה שהיה קודם.",
    "אני יכולה לבדוק את זה מול המורה הערב.",
    "הוא מגיע פעם בשבועיים לאזור שלך בכל מקרה.",
    "I'll send you the confirmation by email this afternoon.",  # a step, nothing gained
    "Let me move on to the address on the account.",
    "אני רוצה להעביר אותך למחלקת הגבייה.",  # handing over, nothing gained
]


@pytest.mark.parametrize("text", PROPOSALS)
def test_a_proposal_with_what_the_customer_gains_is_an_offer(text: str) -> None:
    assert proposes(text)


@pytest.mark.parametrize("text", NOT_OFFERS)
def test_questions_steps_and_descriptions_are_not_offers(text: str) -> None:
    assert proposes(text) is None


CALLS = {
    "en": [
        ("c1", "I'd like to stop Noa's lessons. She hardly practises between them."),
        ("a1", "I see. What would you say to a lesson every other week? You'd pay half."),
        ("c1", "Every other week? I didn't know you did that."),
        ("a1", "We do, same teacher, just a calmer pace, and the fee halves."),
        ("c1", "Actually, that makes sense. What time would it be?"),
        ("a1", "I'll check Wednesday afternoons with the teacher and text you tomorrow."),
        ("c1", "Great, thanks. Bye."),
    ],
    "he": [
        ("c1", "אני רוצה להפסיק את השיעורים של נועה, היא כמעט לא מתאמנת ביניהם."),
        ("a1", "מבינה. מה את אומרת על שיעור פעם בשבועיים? ואת משלמת חצי."),
        ("c1", "פעם בשבועיים? לא ידעתי שיש אצלכם דבר כזה."),
        ("a1", "יש, אותו מורה, רק בקצב רגוע יותר, והתשלום יורד בחצי."),
        ("c1", "האמת שזה נשמע הגיוני. ומה עם השעה?"),
        ("a1", "אני אבדוק מול המורה את יום רביעי ואשלח לך מחר הודעה."),
        ("c1", "מעולה, תודה. ביי."),
    ],
}


def _timed(lines: list[tuple[str, str]]) -> list[tuple[str, float, float, str]]:
    out, t = [], 0.5
    for speaker, text in lines:
        out.append((speaker, t, t + 5.0, text))
        t += 5.6
    return out


@pytest.mark.parametrize("language", ["en", "he"])
def test_an_offer_asked_about_then_taken(resources: Resources, language: str) -> None:
    lines = _timed(CALLS[language])
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["offer_limit"]
    assert (v.verdict, v.reason[:1]) == ("pass", "1"), v.reason
    assert [e.text for e in v.evidence] == [lines[1][3]]
    assert card.outcome == "saved"
    # the customer asking back, then saying no: not taken
    no = {"en": "No, honestly, that won't change anything.", "he": "לא, האמת שזה לא ישנה כלום."}
    lines[4] = (*lines[4][:3], no[language])
    assert analyze(resources, language, CUSTOMER_REP, lines).outcome != "saved"


YES_WITH_A_RIVAL = {
    "en": [
        ("c1", "I'm cancelling, eight vans have been offline for three weeks."),
        ("a1", "That's on us. I'd really like to keep you, I'll send a fitter on Thursday."),
        {
            "yes": "Go on then. Get them fitted Thursday and I'll ring the other lot, no thanks.",
            "no": "Thanks, but no. I've decided, I'm going with the other lot from Monday.",
        },
        ("a1", "Understood. I'll call you Thursday at ten."),
        ("c1", "Cheers, bye."),
    ],
    "he": [
        ("c1", "אני מבטל, שמונה רכבים לא משדרים כבר שלושה שבועות."),
        ("a1", "זה עלינו. אני באמת רוצה שתישאר איתנו, אשלח טכנאי ביום חמישי."),
        {
            "yes": "יאללה בסדר. שיתקינו בחמישי, ואני אגיד לחברה השנייה תודה ולא צריך.",
            "no": "תודה, אבל לא. החלטתי, אני עובר לחברה השנייה מיום שני.",
        },
        ("a1", "מובן. אתקשר אליך בחמישי בעשר."),
        ("c1", "תודה, ביי."),
    ],
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_yes_that_only_mentions_the_rival_takes_the_offer(
    resources: Resources, language: str
) -> None:
    """A yes that tells the rival no thanks resembles leaving only faintly: it still takes the
    offer. A reply that says it is going to the rival does not."""
    outcomes = {}
    for variant in ("yes", "no"):
        said = [x[variant] if isinstance(x, dict) else x for x in YES_WITH_A_RIVAL[language]]
        said[2] = ("c1", said[2]) if isinstance(said[2], str) else said[2]
        outcomes[variant] = analyze(resources, language, CUSTOMER_REP, _timed(said)).outcome
    assert outcomes["yes"] == "saved" and outcomes["no"] != "saved"


OFFERED = {
    "en": [
        "Let me knock twenty pounds off your next three bills.",
        "If it helps, the next two months are on us.",
        "We could switch you to pay-as-you-go, so you only pay when you use it.",
    ],
    "he": [
        "אני יכולה להוריד לך עשרים שקל משלושת החשבונות הבאים.",
        "אם זה עוזר, החודשיים הבאים עלינו.",
        "נוכל להעביר אותך לתשלום לפי שימוש, ככה תשלם רק כשאתה משתמש.",
    ],
}
NOT_OFFERED = {
    "en": "I'm sorry, that's on us, and I'll fix it today.",
    "he": "אני מצטערת, זה עלינו, ואני מתקנת את זה היום.",
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_offers_in_other_words_count_each_once(resources: Resources, language: str) -> None:
    why = {
        "en": "It's just too expensive for what I use.",
        "he": "זה פשוט יקר מדי בשביל כמה שאני משתמש.",
    }
    no = {"en": "Hmm, I'm not sure.", "he": "הממ, אני לא בטוח."}
    said = [("c1", why[language])]
    for offer in OFFERED[language]:
        said += [("a1", offer), ("c1", no[language])]
    v = analyze(resources, language, CUSTOMER_REP, _timed(said)).verdicts["offer_limit"]
    assert v.verdict == "fail" and v.reason.startswith("3 distinct offers"), v.reason
    owned = [("c1", why[language]), ("a1", NOT_OFFERED[language]), ("c1", no[language])]
    assert (
        analyze(resources, language, CUSTOMER_REP, _timed(owned)).verdicts["offer_limit"].verdict
        == "na"
    )


AFTER_CANCELLING = {
    "en": [
        ("c1", "I've made up my mind, I'd like to cancel the cloud plan."),
        ("a1", "Understood. I'm cancelling it now, effective today."),
        ("c1", "Great. And the months I didn't use?"),
        ("a1", "I've sent the last two months back to your card, you'll see it in a few days."),
        ("c1", "That's fair, thanks."),
        ("a1", "And if you ever want it again, we can give you the first month free."),
    ],
    "he": [
        ("c1", "החלטתי, אני רוצה לבטל את תוכנית הענן."),
        ("a1", "הבנתי. אני מבטלת לך את זה עכשיו, החל מהיום."),
        ("c1", "מעולה. ומה עם החודשים שלא השתמשתי?"),
        ("a1", "החזרתי לך את החודשיים האחרונים לכרטיס, תראה את זה בעוד כמה ימים."),
        ("c1", "זה הוגן, תודה."),
        ("a1", "ואם פעם תרצה את זה שוב, אפשר לתת לך את החודש הראשון בחינם."),
    ],
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_nothing_is_a_retention_offer_once_the_cancellation_is_carried_out(
    resources: Resources, language: str
) -> None:
    """A refund after the cancellation settles the account; a free month to come back some day
    leaves the door open. Neither is a retention offer, and the customer is gone."""
    card = analyze(resources, language, CUSTOMER_REP, _timed(AFTER_CANCELLING[language]))
    assert card.verdicts["offer_limit"].verdict == "na", card.verdicts["offer_limit"].reason
    assert card.outcome == "churned"


ASKED_ABOUT = {
    "en": [
        ("c1", "I want to cancel, the per-session fee adds up."),
        ("a1", "What if we took the session fee off all your parking for the next three months?"),
        ("c1", "Hmm, I'm not sure."),
        ("a1", "Or what would you think about the flat monthly plan instead? One price, no fees."),
        ("c1", "So, the fee thing. What did you say, three months?"),
        (
            "a1",
            "Three months without the session fee, so for the rest of the quarter you'd just pay "
            "for the parking itself.",
        ),
        ("c1", "And the boxes I already bought?"),
        (
            "a1",
            "The opened one I can't take back, but the sealed one you can send back for a refund.",
        ),
        ("c1", "Okay, I'll think about it."),
    ],
    "he": [
        ("c1", "אני רוצה לבטל, העמלה על כל חנייה מצטברת."),
        ("a1", "מה אם נוריד לך את העמלה על כל החניות לשלושה חודשים הקרובים?"),
        ("c1", "הממ, אני לא בטוח."),
        ("a1", "או מה תגיד על המסלול החודשי הקבוע? מחיר אחד, בלי עמלות."),
        ("c1", "רגע, העמלה. מה אמרת, שלושה חודשים?"),
        ("a1", "שלושה חודשים בלי עמלה, כלומר עד סוף הרבעון אתה משלם רק על החנייה עצמה."),
        ("c1", "ומה עם הקופסאות שכבר קניתי?"),
        ("a1", "את הפתוחה אני לא יכולה לקחת בחזרה, אבל את הסגורה אפשר להחזיר ולקבל זיכוי."),
        ("c1", "בסדר, אני אחשוב על זה."),
    ],
}
WHAT_ABOUT = [
    ("c1", "אני רוצה לסיים את המנוי, אני כמעט לא משתמשת בו."),
    ("a1", "רגע לפני שסוגרים, אני יכול לתת לך שלושים אחוז הנחה על השנה הבאה."),
    ("c1", "לא, תודה."),
    ("a1", "אז בואי נעשה ככה. שלושה חודשים עלינו, בלי לשלם שקל, ותראי אם זה שווה לך."),
    ("c1", "לא, באמת שלא."),
    ("a1", "אוקיי. ומה עם המסלול המצומצם? שעתיים ייעוץ בחודש, בחצי מחיר."),
    ("c1", "לא. תבטל בבקשה."),
]


@pytest.mark.parametrize("language", ["en", "he"])
def test_answering_the_customers_questions_about_an_offer_is_no_new_offer(
    resources: Resources, language: str
) -> None:
    v = analyze(resources, language, CUSTOMER_REP, _timed(ASKED_ABOUT[language])).verdicts[
        "offer_limit"
    ]
    assert v.verdict == "pass" and v.reason.startswith("2 offer"), v.reason


def test_an_offer_put_as_what_about_counts() -> None:
    """ "ומה עם המסלול המצומצם?" (and what about the smaller plan?) is a third offer."""
    from app.rubrics.offer_limit import _PROPOSAL

    assert _PROPOSAL.search(WHAT_ABOUT[5][1])


def test_a_third_offer_put_as_what_about_fails(resources: Resources) -> None:
    v = analyze(resources, "he", CUSTOMER_REP, _timed(WHAT_ABOUT)).verdicts["offer_limit"]
    assert v.verdict == "fail", v.reason


@pytest.mark.parametrize(
    "language, line",
    [
        ("en", "Before I do anything, did you know you can skip up to three months in a row?"),
        ("he", "רגע לפני שאני מבטלת, ידעת שאפשר לדלג עד שלושה חודשים ברצף בלי לאבד את המקום?"),
    ],
)
def test_a_freeze_put_as_did_you_know_is_an_offer(
    resources: Resources, language: str, line: str
) -> None:
    why = {
        "en": "I'd like to cancel, the boxes are piling up.",
        "he": "אני רוצה לבטל, הארגזים נערמים.",
    }
    lines = _timed(
        [("c1", why[language]), ("a1", line), ("c1", {"en": "Hmm.", "he": "הממ."}[language])]
    )
    v = analyze(resources, language, CUSTOMER_REP, lines).verdicts["offer_limit"]
    assert v.verdict == "pass" and v.reason.startswith("1 offer"), v.reason
