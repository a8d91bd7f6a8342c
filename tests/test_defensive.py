"""no_defensiveness's grammars (app/rubrics/defensive.py), in English and Hebrew: hiding behind a
rule, blaming the customer, closing the door, in wordings no phrase list has, and the near misses
that are none of these; then the rubric's verdicts on short calls that say them."""

from __future__ import annotations

import pytest

from app.pipeline.resources import Resources
from app.rubrics.defensive import (
    asks_leave,
    blames,
    closes_the_door,
    exasperated,
    hides_behind_rules,
)
from tests.test_rubrics import CUSTOMER_REP, analyze

PROCEDURE = [
    "Then the one thing is the notice period. The agreement says ninety days.",
    "Well, the contract is the contract. You signed a twelve month term in March.",
    "Auto renew is on by default, so that's just how the system works, I'm afraid.",
    "That's how it's set up, the driver's note goes straight in.",
    "According to our cancellation policy, the deposit stays with us.",
    "ההסכם אומר תשעים יום הודעה מראש.",
    "לפי התקנון, הפיקדון לא מוחזר.",
    "חוזה זה חוזה, חתמת על התחייבות לשנה.",
    "ככה המערכת עובדת, היא מחייבת בתחילת החודש.",
]
NOT_PROCEDURE = [
    "I'll check what the contract says about early exits and call you back.",
    "Good news, the policy says you can get a full refund.",
    "The renewal date moves with the freeze, so you won't pay for those months.",
    "We changed the policy last year after feedback like yours.",
    "The terms don't say it clearly enough, I understand why this came as a surprise.",
    "The system won't let me do it directly, so I've asked my supervisor to approve it today.",
    "לפי התנאים מגיע לך החזר מלא תוך שלושים יום, אז אני מבצעת אותו עכשיו.",
    "אני אבדוק מה ההסכם אומר לגבי יציאה מוקדמת.",
    "ההסכם אומר שמגיע לך החזר מלא.",
    "את המתקן מחזירים באחת מנקודות האיסוף.",
]
BLAME = [
    "To be honest, you should have raised all this at the renewal.",
    "It's on the confirmation screen, so you did agree to the switch.",
    "Just to rule it out, did anyone add him from your login?",
    "It shows here he was added from your account.",
    "To be fair, the tracking email did ask for someone to be home to sign.",
    "The matchmaking is working fine for most of our members.",
    "It's usually because they've widened the range in their own settings.",
    "If you'd turned on notifications, you'd have seen it in time.",
    "אז זה לא באג אצלנו. כנראה שינית את המספר ההתחלתי באמצע השנה.",
    "המערכת לא משנה את זה לבד.",
    "שלחנו לך תזכורת. היית צריך לבטל לפני.",
    "אם היית מפעילה התראות על הקבוצה, היית רואה אותן מוקדם.",
    "זה קורה כשלא קוראים את ההנחיות.",
    "If you had bothered to read the email, none of this would have happened.",
    "אם היית טורח לקרוא את המייל, כל זה לא היה קורה.",
    # pushing it away: not ours, not mine, nobody else, what we already did
    "With respect, that's not really our problem.",
    "Look, I only started here last month.",
    "I'm not the one who booked it.",
    "Honestly, nobody else has complained about this.",
    "We did send you three reminders.",
    "זו לא ממש הבעיה שלנו.",
    "אני רק עובדת פה.",
    "אף אחד אחר לא התלונן על זה.",
    "אתה הראשון שמתלונן על זה.",
    "אבל שלחנו לך שלוש תזכורות.",
    # a tip for next time, the customer's own choice as the cause, their gate in fairness
    "Monday mornings are rough, you'll usually get through a lot quicker if you call after lunch.",
    "No, I didn't mean it like that. Just a tip for next time.",
    "Yes, but you did pick the family box, so of course there's a lot left over.",
    "And to be fair, a couple of those Fridays our techs couldn't get through your gate.",
    "כן, אבל גם לקחת את הארגז המשפחתי, שבנוי לארבע נפשות, אז ברור שנשאר המון.",
    "תקבלי מענה הרבה יותר מהר אם תתקשרי אחרי הצהריים.",
]
NOT_BLAME = [
    "You should have the refund by Friday.",
    "You should have been told about the price change. That's on us.",
    "You shouldn't have had to chase us.",
    "If you'd like, I can move you to the smaller plan.",
    "It's all working fine now, I've fixed the sync.",
    "To be fair to you, we should have caught this in March.",
    "I've removed him from your account.",
    "It's completely reasonable that you didn't read forty pages of contract.",
    "היית צריך לקבל הודעה על זה מראש, וזה עלינו.",
    "אם היית רוצה, אפשר לעבור למסלול קטן יותר.",
    "זה לא משהו שתצטרכי לעשות לבד, אני מטפלת בזה.",
    "הכול עובד עכשיו, תיקנתי את החיבור.",
    "The information you got wasn't accurate, and that's our responsibility, not yours.",
    "It's not your fault at all, I'll fix it now.",
    "We did send the refund yesterday, it should show by Friday.",
    "זו לא אשמתך בכלל, אני מתקנת את זה עכשיו.",
    "שלחנו לך את ההחזר אתמול.",
    "זו האחריות שלנו, לא שלך.",
    "I know, but you've been so patient, so of course we'll credit you.",
    "אבל אם זה לא מתאים לך, אז ברור שנבטל.",
    "I'll make sure you get through faster: here's my direct number.",
    "To be fair, you've been with us a long time.",
]
CANT_HELP = [
    "There's really not a lot I can do about that part.",
    "I can't really override what the driver's put.",
    "That's not something we can control for you.",
    "אין הרבה שאני יכולה לעשות עם זה.",
    "זה לא משהו שאנחנו יכולים לשלוט בו בשבילך.",
]
NOT_CANT_HELP = [
    "I can't change the fee, but what I can do is move your renewal date.",
    "There's a little I can do on the price: ten percent off.",
    "אני לא יכולה לשנות את המחיר, אבל אני יכולה להקפיא לך את המנוי.",
    "יש הרבה שאני יכולה לעשות בשבילך.",
]


EXASPERATED = [
    "I don't know how much clearer I can make this.",
    "I've told you twice already, the fee stays.",
    "אני לא יודעת איך להסביר לך יותר ברור מזה.",
    "אמרתי לך כבר פעמיים, זה לא ישתנה.",
]
NOT_EXASPERATED = [
    "Let me make that clearer: the fee is gone from next month.",
    "As I said on the phone last week, the upgrade is free.",
    "אני אסביר לך את זה שוב, בשמחה.",
]


@pytest.mark.parametrize("text", PROCEDURE)
def test_hiding_behind_a_rule_in_any_words(text: str) -> None:
    assert hides_behind_rules(text)


@pytest.mark.parametrize("text", NOT_PROCEDURE)
def test_looking_up_or_a_rule_in_the_customers_favour_is_not_hiding(text: str) -> None:
    assert hides_behind_rules(text) is None


@pytest.mark.parametrize("text", BLAME)
def test_blame_in_any_words(text: str) -> None:
    assert blames(text)


@pytest.mark.parametrize("text", NOT_BLAME)
def test_owning_it_or_a_delivery_date_is_not_blame(text: str) -> None:
    assert blames(text) is None


@pytest.mark.parametrize("text", CANT_HELP)
def test_a_door_closed_in_any_words(text: str) -> None:
    assert closes_the_door(text)


@pytest.mark.parametrize("text", NOT_CANT_HELP)
def test_saying_what_can_be_done_instead_keeps_the_door_open(text: str) -> None:
    assert closes_the_door(text) is None


@pytest.mark.parametrize("text", EXASPERATED)
def test_exasperation_in_any_words(text: str) -> None:
    assert exasperated(text)


@pytest.mark.parametrize("text", NOT_EXASPERATED)
def test_explaining_again_gladly_is_not_exasperation(text: str) -> None:
    assert exasperated(text) is None


def test_asking_leave_to_speak() -> None:
    assert asks_leave("Sorry to cut in, can I just say one thing?")
    assert asks_leave("סליחה שאני קוטעת, איציק, תן לי לדבר רגע, בסדר?")
    assert not asks_leave("I'm going to stop you there, alright? Let me talk for a second.")
    assert not asks_leave("תן לי לדבר רגע, בסדר?")


CALLS = {
    "en": {
        "leave": "I want to cancel. You charged me for a renewal I never asked for.",
        "ask": "I'm sorry about that. What happened?",
        "why": "The annual fee came out on the first and nobody told me.",
        "procedure": "The agreement says thirty days' notice, so the renewal stands.",
        "blame": "It's on the confirmation screen, so you did agree to the renewal.",
        "kind": "That's on us, we should have reminded you. I'll refund it today.",
        "bye": "Okay. Bye.",
    },
    "he": {
        "leave": "אני רוצה לבטל. חייבתם אותי על חידוש שלא ביקשתי.",
        "ask": "אני מצטערת על זה. מה קרה?",
        "why": "דמי השנה ירדו בראשון לחודש ואף אחד לא אמר לי.",
        "procedure": "לפי התקנון צריך הודעה שלושים יום מראש, אז החידוש בתוקף.",
        "blame": "שלחנו לך תזכורת במייל. היית צריכה לבטל לפני.",
        "kind": "זה עלינו, היינו צריכים להזכיר לך. אני מחזירה לך את הכסף היום.",
        "bye": "טוב. ביי.",
    },
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_no_defensiveness_by_the_grammar(resources: Resources, language: str) -> None:
    c = CALLS[language]

    def verdict(rep_line: str) -> tuple[str, str]:
        lines = [
            ("c1", 0.5, 4.0, c["leave"]),
            ("a1", 4.6, 7.0, c["ask"]),
            ("c1", 7.6, 11.0, c["why"]),
            ("a1", 11.6, 16.0, c[rep_line]),
            ("c1", 16.6, 18.0, c["bye"]),
        ]
        v = analyze(resources, language, CUSTOMER_REP, lines).verdicts["no_defensiveness"]
        return v.verdict, v.reason

    assert verdict("procedure") == ("fail", "a defensive reply (procedure)")
    assert verdict("blame") == ("fail", "a defensive reply (blame)")
    assert verdict("kind")[0] == "pass"


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_step_in_that_asks_leave_is_not_hostile(resources: Resources, language: str) -> None:
    step_in = {
        "en": (
            "Sorry to cut in, Mike, let me talk for a second, is that okay?",
            "Let me talk for a second.",
        ),
        "he": ("סליחה שאני קוטעת, איציק, תן לי לדבר רגע, בסדר?", "תן לי לדבר רגע."),
    }[language]
    c = CALLS[language]

    def verdict(line: str) -> str:
        lines = [
            ("c1", 0.5, 4.0, c["leave"]),
            ("a1", 4.6, 7.0, line),
            ("c1", 7.6, 11.0, c["why"]),
        ]
        return (
            analyze(resources, language, CUSTOMER_REP, lines).verdicts["no_defensiveness"].verdict
        )

    assert verdict(step_in[0]) == "pass"
    assert verdict(step_in[1]) == "fail"


@pytest.mark.parametrize(
    "language, line",
    [
        (
            "en",
            "There's a procedure for this and I have to follow it, you need to fill in the form.",
        ),
        ("he", "יש נוהל מסודר לזה ואני חייב לעבוד לפיו, צריך למלא טופס."),
    ],
)
def test_meaning_alone_does_not_decide_defensiveness_but_lowers_confidence(
    resources: Resources, language: str, line: str
) -> None:
    """The rubric file says `decides: false` for its kinds: a line that reads defensive by
    meaning (one of the file's own examples) but says no phrase and takes no grammar leaves
    the verdict a pass, with low confidence for the judge to look at."""
    c = CALLS[language]
    assert not any(g(line) for g in (blames, hides_behind_rules, closes_the_door, exasperated))
    lines = [
        ("c1", 0.5, 4.0, c["leave"]),
        ("a1", 4.6, 9.0, line),
        ("c1", 9.6, 11.0, c["bye"]),
    ]
    v = analyze(resources, language, CUSTOMER_REP, lines).verdicts["no_defensiveness"]
    assert v.verdict == "pass"
    assert v.confidence < 0.5
    calm = [lines[0], ("a1", 4.6, 9.0, c["kind"]), lines[2]]
    assert (
        analyze(resources, language, CUSTOMER_REP, calm).verdicts["no_defensiveness"].confidence
        >= 0.5
    )
