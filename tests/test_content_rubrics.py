"""The content rubrics of sources 001–004 on short calls, in English and Hebrew: pass, fail and
na for each, with the real rubric files (phrases and examples by meaning)."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.engine import Scorecard
from app.nlp.signals import train_head
from app.pipeline.analyze import analyze_transcript
from app.pipeline.callfile import CallFile
from app.pipeline.resources import Resources
from app.rubrics.base import PHRASE_SURENESS
from app.rubrics.text import PhraseMatcher
from tests.test_rubrics import CUSTOMER_REP, Line, analyze

LANGS = ["en", "he"]

# Lines of a short call, by language: the rep opens, the customer wants to leave, the rep
# answers with one of the lines below, the customer closes.
T = {
    "en": {
        "hello": "Thanks for calling, this is Dana. How can I help you today?",
        "leave": "Hi, I want to cancel my plan. It just costs too much for what I get.",
        "ask": "I understand. Can I ask what made you decide to leave now?",
        "reason": "The price went up twenty dollars in March and nobody told me about it.",
        "neutral": "Okay, I can see the account here and the change in March.",
        "policy": "Well, that's our policy. Price changes are in the terms you signed.",
        "blame": "You should have read the letter we sent you in February.",
        "badmouth": "Honestly, whoever told you the price was fixed got it wrong. "
        "The sales team never knows what they're talking about.",
        "want": "We'd really like to keep you with us, you've been a customer for years.",
        "offer": "I can take twenty dollars off your bill for the next six months.",
        "concrete": "I'll call you tomorrow at ten to confirm the new price is on the account.",
        "vague": "Someone from billing will get back to you about it.",
        "slogan": "We'll do everything we can to make sure you're happy.",
        "anything": "Before we finish, is there anything else I can help you with?",
        "accept": "Okay, that works for me. I'll stay.",
        "still": "No thanks, I've made up my mind. Please cancel it.",
        "door": "I'm sorry to see you go. You're always welcome back, just call me directly.",
        "cold": "Fine. The account is closed. Goodbye.",
        "bye": "Thanks, bye.",
    },
    "he": {
        "hello": "שלום, מדברת דנה משירות הלקוחות. איך אפשר לעזור?",
        "leave": "היי, אני רוצה לבטל את המנוי. זה פשוט יקר מדי בשביל מה שאני מקבל.",
        "ask": "אני מבינה. אפשר לשאול מה גרם לך להחליט לעזוב דווקא עכשיו?",
        "reason": "המחיר עלה בעשרים שקל במרץ ואף אחד לא אמר לי על זה כלום.",
        "neutral": "אוקיי, אני רואה את החשבון ואת השינוי מחודש מרץ.",
        "policy": "תראה, זה הנוהל. שינויי מחיר כתובים בתנאים שחתמת עליהם.",
        "blame": "היית צריך לקרוא את המכתב ששלחנו לך בפברואר.",
        "badmouth": "האמת, מי שאמר לך שהמחיר קבוע פשוט טעה. "
        "אנשי המכירות אף פעם לא יודעים על מה הם מדברים.",
        "want": "חשוב לנו מאוד שתישאר איתנו, אתה לקוח שלנו כבר שנים.",
        "offer": "אני יכולה להוריד לך עשרים שקל מהחשבון לשישה חודשים.",
        "concrete": "אני אתקשר אליך מחר בעשר לוודא שהמחיר החדש מעודכן בחשבון.",
        "vague": "מישהו מהגבייה יחזור אליך בעניין.",
        "slogan": "אנחנו נעשה הכול כדי שתהיה מרוצה.",
        "anything": "לפני שנסיים, יש עוד משהו שאני יכולה לעזור לך בו?",
        "accept": "אוקיי, זה מתאים לי. אני נשאר.",
        "still": "לא תודה, החלטתי. תבטלי את זה בבקשה.",
        "door": "חבל לי שאתה עוזב. הדלת אצלנו תמיד פתוחה, פשוט תתקשר אליי ישירות.",
        "cold": "בסדר. החשבון סגור. להתראות.",
        "bye": "תודה, ביי.",
    },
}


def call(language: str, *keys: str) -> list[Line]:
    """A call from line keys: speakers alternate rep / customer unless a key starts with
    "rep:" or "cust:"; each line lasts by its length (about 2.5 words a second)."""
    lines: list[Line] = []
    t = 0.5
    for key in keys:
        who, _, name = key.rpartition(":")
        text = T[language][name]
        speaker = {"rep": "a1", "cust": "c1"}[who]
        dur = max(1.0, round(len(text.split()) / 2.5, 1))
        lines.append((speaker, t, round(t + dur, 2), text))
        t = round(t + dur + 0.8, 2)
    return lines


def verdict(card: Scorecard, rubric: str) -> str:
    return card.verdicts[rubric].verdict


BASE = ("rep:hello", "cust:leave")


@pytest.mark.parametrize("language", LANGS)
def test_no_defensiveness(resources: Resources, language: str) -> None:
    calm = analyze(
        resources, language, CUSTOMER_REP, call(language, *BASE, "rep:neutral", "cust:bye")
    )
    assert verdict(calm, "no_defensiveness") == "pass"
    for key in ("policy", "blame"):
        card = analyze(
            resources, language, CUSTOMER_REP, call(language, *BASE, f"rep:{key}", "cust:bye")
        )
        v = card.verdicts["no_defensiveness"]
        assert v.verdict == "fail", key
        assert v.evidence[0].text == T[language][key]
        assert any(n.rubric == "no_defensiveness" for n in card.nudges)
    customer_only = analyze(resources, language, [("c1", "customer")], call(language, "cust:leave"))
    assert verdict(customer_only, "no_defensiveness") == "na"


@pytest.mark.parametrize("language", LANGS)
def test_no_badmouthing(resources: Resources, language: str) -> None:
    lines = call(language, *BASE, "rep:badmouth", "cust:bye")
    assert verdict(analyze(resources, language, CUSTOMER_REP, lines), "no_badmouthing") == "fail"
    lines = call(language, *BASE, "rep:neutral", "cust:bye")
    assert verdict(analyze(resources, language, CUSTOMER_REP, lines), "no_badmouthing") == "pass"
    only = analyze(resources, language, [("c1", "customer")], call(language, "cust:leave"))
    assert verdict(only, "no_badmouthing") == "na"


@pytest.mark.parametrize("language", LANGS)
def test_say_we_want_you(resources: Resources, language: str) -> None:
    lines = call(language, *BASE, "rep:want", "cust:bye")
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert verdict(card, "say_we_want_you") == "pass"
    assert card.verdicts["say_we_want_you"].evidence[0].text == T[language]["want"]
    lines = call(language, *BASE, "rep:neutral", "cust:bye")
    assert verdict(analyze(resources, language, CUSTOMER_REP, lines), "say_we_want_you") == "fail"
    only = analyze(resources, language, [("c1", "customer")], call(language, "cust:leave"))
    assert verdict(only, "say_we_want_you") == "na"


@pytest.mark.parametrize("language", LANGS)
def test_own_the_follow_up(resources: Resources, language: str) -> None:
    def follow_up(*keys: str) -> str:
        lines = call(language, *BASE, *keys, "cust:bye")
        return verdict(analyze(resources, language, CUSTOMER_REP, lines), "own_the_follow_up")

    assert follow_up("rep:concrete") == "pass"
    assert follow_up("rep:vague") == "fail"
    assert follow_up("rep:slogan") == "fail"
    assert follow_up("rep:neutral") == "na"
    # the call's last promise is the commitment the customer is left with
    assert follow_up("rep:vague", "cust:bye", "rep:concrete") == "pass"
    assert follow_up("rep:concrete", "cust:bye", "rep:slogan") == "fail"
    assert follow_up("rep:concrete", "cust:bye", "rep:vague") == "fail"


@pytest.mark.parametrize("language", LANGS)
def test_satisfaction_check(resources: Resources, language: str) -> None:
    lines = call(language, *BASE, "rep:neutral", "cust:bye", "rep:anything", "cust:bye")
    assert (
        verdict(analyze(resources, language, CUSTOMER_REP, lines), "satisfaction_check") == "pass"
    )
    lines = call(language, *BASE, "rep:neutral", "cust:bye")
    assert (
        verdict(analyze(resources, language, CUSTOMER_REP, lines), "satisfaction_check") == "fail"
    )
    only = analyze(resources, language, [("c1", "customer")], call(language, "cust:leave"))
    assert verdict(only, "satisfaction_check") == "na"


@pytest.mark.parametrize("language", LANGS)
def test_find_real_reason(resources: Resources, language: str) -> None:
    asked = call(language, *BASE, "rep:ask", "cust:reason", "rep:offer", "cust:accept")
    card = analyze(resources, language, CUSTOMER_REP, asked)
    assert verdict(card, "find_real_reason") == "pass"
    offered_first = call(language, *BASE, "rep:offer", "cust:reason", "rep:ask", "cust:accept")
    card = analyze(resources, language, CUSTOMER_REP, offered_first)
    assert verdict(card, "find_real_reason") == "fail"
    assert any(n.kind == "ask_first" for n in card.nudges)
    only = analyze(resources, language, [("a1", "rep")], call(language, "rep:hello"))
    assert verdict(only, "find_real_reason") == "na"


@pytest.mark.parametrize("language", LANGS)
def test_leave_door_open_and_outcome(resources: Resources, language: str) -> None:
    saved = analyze(
        resources,
        language,
        CUSTOMER_REP,
        call(language, *BASE, "rep:offer", "cust:accept", "rep:want", "cust:bye"),
    )
    assert saved.outcome == "saved"
    assert verdict(saved, "leave_door_open") == "na"
    warm = analyze(
        resources,
        language,
        CUSTOMER_REP,
        call(language, *BASE, "rep:offer", "cust:still", "rep:door", "cust:bye"),
    )
    assert warm.outcome == "churned"
    assert verdict(warm, "leave_door_open") == "pass"
    cold = analyze(
        resources,
        language,
        CUSTOMER_REP,
        call(language, *BASE, "rep:offer", "cust:still", "rep:cold", "cust:bye"),
    )
    assert cold.outcome == "churned"
    assert verdict(cold, "leave_door_open") == "fail"
    # The door left open while the company still tries to keep the customer is no parting: a
    # plea to stay early on, then a cold goodbye, fails.
    early = analyze(
        resources,
        language,
        CUSTOMER_REP,
        call(
            language,
            *BASE,
            *("rep:door", "cust:still", "rep:neutral", "cust:still", "rep:neutral", "cust:still"),
            *("rep:neutral", "cust:still", "rep:neutral", "cust:still", "rep:cold"),
        ),
    )
    assert early.outcome == "churned"
    assert verdict(early, "leave_door_open") == "fail"


@pytest.mark.parametrize("language", LANGS)
def test_churn_reason_from_the_customers_words(resources: Resources, language: str) -> None:
    card = analyze(
        resources,
        language,
        CUSTOMER_REP,
        call(language, *BASE, "rep:ask", "cust:reason", "rep:neutral", "cust:bye"),
    )
    assert card.churn_reason == "price"


# --- by meaning: the trained heads ------------------------------------------------------------

# Lines that say a kind in words none of the rubric's phrases has (checked below, so the test
# stays honest when the phrase lists grow) and that are not among its examples.
UNLISTED = {
    "en": {
        ("no_badmouthing", "badmouth"): "The night shift over there is hopeless, "
        "they never read the notes.",
        ("satisfaction_check", "satisfaction_question"): "So, how are we feeling about all of "
        "it now, good?",
    },
    "he": {
        ("no_badmouthing", "badmouth"): "המשמרת של הלילה שם חסרת תקנה, הם אף פעם לא קוראים את "
        "ההערות.",
        ("satisfaction_check", "satisfaction_question"): "אז איך זה מרגיש לך עכשיו, הכול טוב "
        "מבחינתך?",
        ("say_we_want_you", "want_you"): "באמת יהיה לנו חבל לאבד אותך, אני לא רוצה שזה יקרה.",
    },
}
EXPECTED_BY_MEANING = {
    "no_badmouthing": "fail",
    "satisfaction_check": "pass",
    "say_we_want_you": "pass",
}


def test_train_head_learns_a_direction() -> None:
    rng = np.random.default_rng(7)
    direction = rng.normal(size=16)
    x = rng.normal(size=(400, 16))
    y = (x @ direction > 0.5).astype(float)
    w = train_head(x[:300].astype(np.float32), y[:300], l2=1.0)
    p = 1 / (1 + np.exp(-(x[300:] @ w[:-1] + w[-1])))
    assert ((p >= 0.5) == (y[300:] > 0)).mean() >= 0.9


@pytest.mark.parametrize("language", LANGS)
def test_heads_find_phrasings_the_phrase_lists_lack(resources: Resources, language: str) -> None:
    for (rubric, kind), text in UNLISTED[language].items():
        spec = resources.rubrics.specs[rubric]
        assert PhraseMatcher(spec.phrases[kind].get(language)).find(text) is None, text
        assert text not in spec.examples[kind].get(language)
        lines = call(language, *BASE, "rep:neutral", "cust:reason")
        t = lines[-1][2] + 0.8
        lines.append(("a1", t, t + 4.0, text))
        lines.append(("c1", t + 4.8, t + 6.0, T[language]["bye"]))
        v = analyze(resources, language, CUSTOMER_REP, lines).verdicts[rubric]
        assert v.verdict == EXPECTED_BY_MEANING[rubric], (rubric, text, v)
        assert text in [e.text for e in v.evidence]
        assert 0.5 < v.confidence <= 1.0


@pytest.mark.parametrize("language", LANGS)
def test_a_short_goodbye_is_not_read_by_the_heads(resources: Resources, language: str) -> None:
    bye = {"en": "Okay. Good day.", "he": "טוב. יום טוב."}[language]
    lines = call(language, *BASE, "rep:neutral", "cust:reason")
    t = lines[-1][2] + 0.8
    lines.append(("a1", t, t + 1.5, bye))
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert verdict(card, "no_defensiveness") == "pass"
    assert verdict(card, "own_the_follow_up") == "na"


@pytest.mark.parametrize("language", LANGS)
def test_verdict_confidence(resources: Resources, language: str) -> None:
    # A phrase said: the phrase's sureness; timing rules: 1.
    card = analyze(
        resources, language, CUSTOMER_REP, call(language, *BASE, "rep:policy", "cust:bye")
    )
    v = card.verdicts["no_defensiveness"]
    assert v.verdict == "fail"
    assert v.confidence >= PHRASE_SURENESS
    assert card.verdicts["listen_first"].confidence == 1.0
    for rubric, v in card.verdicts.items():
        assert 0.0 <= v.confidence <= 1.0, rubric
    # The same rubric passing on a calm call is sure it is not defensive, but the call's
    # closest line decides, so it is no surer than every line's own reading.
    calm = analyze(
        resources, language, CUSTOMER_REP, call(language, *BASE, "rep:neutral", "cust:bye")
    )
    assert calm.verdicts["no_defensiveness"].verdict == "pass"
    bank = resources.signals
    line = T[language]["neutral"]
    each = min(
        bank.confidence("no_defensiveness", k, bank.read(line))
        for k in ("blame", "procedure", "cant_help", "hostile")
    )
    assert calm.verdicts["no_defensiveness"].confidence <= each + 1e-6


COLLEAGUE = {
    "en": ("Maya", "Maya, who heads our billing team, is on the line too. ", "Maya, "),
    "he": ("מאיה", "מאיה, שמנהלת את הגבייה, איתנו על הקו. ", "מאיה, "),
}


@pytest.mark.parametrize("language", LANGS)
def test_a_colleague_named_in_passing_is_not_spoken_to(resources: Resources, language: str) -> None:
    """A question is for the customer unless a colleague is addressed by name: named in passing
    ("Maya, who heads our billing team, is on the line too") she is not asked anything."""
    name, in_passing, to_her = COLLEAGUE[language]
    t = T[language]

    def reason_verdict(opening: str) -> str:
        call_file = CallFile.model_validate(
            {
                "id": f"colleague-{language}",
                "language": language,
                "participants": [
                    {"id": "c1", "role": "customer", "name": "Dana"},
                    {"id": "a1", "role": "rep", "name": "Noa"},
                    {"id": "a2", "role": "cs", "name": name},
                ],
                "utterances": [
                    {"speaker": "c1", "start": 0.5, "end": 4.0, "text": t["leave"]},
                    {"speaker": "a1", "start": 4.6, "end": 10.0, "text": opening + t["ask"]},
                    {"speaker": "c1", "start": 10.6, "end": 14.0, "text": t["reason"]},
                    {"speaker": "a1", "start": 14.6, "end": 18.0, "text": t["offer"]},
                    {"speaker": "c1", "start": 18.6, "end": 20.0, "text": t["bye"]},
                ],
            }
        )
        return analyze_transcript(resources, call_file).verdicts["find_real_reason"].verdict

    assert reason_verdict(in_passing) == "pass"
    assert reason_verdict(to_her) == "fail"
