"""The built rubrics on transcripts, in English and Hebrew: listen_first, no_reselling, cs_leads,
kind_rant_interrupt and offer_limit's counting. Real rubric files, real engine, no mocks."""

from __future__ import annotations

from typing import Any

import pytest

from app.audio.vad import VadOptions
from app.core.events import Evidence, Participant, Transcript
from app.engine.engine import Scorecard
from app.pipeline.analyze import analyze_transcript, call_info_for_audio
from app.pipeline.call import MONO_SPEAKER, replay_transcripts
from app.pipeline.callfile import CallFile
from app.pipeline.resources import Resources
from app.rubrics.config import RUBRIC_IDS
from tests.conftest import labelled_call

HANGOVER = VadOptions().hangover_s  # the VAD's wait before a stop is known

LANGS = ["en", "he"]
Line = tuple[str, float, float, str]

CUSTOMER_REP = [("c1", "customer"), ("a1", "rep")]


def make_call(language: str, people: list[tuple[str, str]], lines: list[Line]) -> CallFile:
    return CallFile.model_validate(
        {
            "id": f"test-{language}",
            "language": language,
            "participants": [{"id": i, "role": r, "name": i.upper()} for i, r in people],
            "utterances": [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in lines],
        }
    )


def analyze(
    resources: Resources, language: str, people: list[tuple[str, str]], lines: list[Line]
) -> Scorecard:
    return analyze_transcript(resources, make_call(language, people, lines))


def ev(people: list[tuple[str, str]], line: Line) -> Evidence:
    roles = dict(people)
    speaker, start, end, text = line
    return Evidence(speaker, roles[speaker], start, end, text)


def nudges(card: Scorecard, rubric: str) -> list[tuple[str, float, str]]:
    return [(n.kind, n.at, n.to) for n in card.nudges if n.rubric == rubric]


def rubric_text(resources: Resources, rubric: str, kind: str, language: str) -> str:
    return resources.rubrics.specs[rubric].nudges[kind].text.get(language)


# ==============================================================================================
# listen_first
# ==============================================================================================

LF = {
    "en": {
        "hello": "Hi, thanks for calling Brightline, how can I help?",
        "c1": "I want to cancel, the internet has been dropping every evening for weeks now",
        "a1": "Okay so let me tell you about the offers we have running this month",
        "c2": "It's not about offers, the connection drops every night at eight o'clock",
        "a2": "Outages like that are rare, our network is stable almost all the time",
        "ok": "Okay.",
        "backchannel": "Mm-hm.",
        "two_words": "Right, sure.",
        "reply": "I see. Since when has it been dropping, and does it happen on every device?",
        "not_heard": "I already told you, it drops every single evening. You're not listening.",
    },
    "he": {
        "hello": "שלום, מדברת שני מברייטליין, במה אפשר לעזור?",
        "c1": "אני רוצה לבטל, האינטרנט נופל כל ערב כבר כמה שבועות ואני לא יכולה לעבוד",
        "a1": "אוקיי, אז בואי אני אספר לך על המבצעים שרצים אצלנו החודש",
        "c2": "זה לא קשור למבצעים, החיבור מתנתק כל ערב בשמונה בדיוק",
        "a2": "תקלות כאלה נדירות מאוד, הרשת אצלנו יציבה כמעט כל הזמן",
        "ok": "טוב.",
        "backchannel": "אהה.",
        "two_words": "כן, בטח.",
        "reply": "הבנתי. ממתי זה קורה, ובכל המכשירים בבית?",
        "not_heard": "אמרתי לך כבר, זה נופל כל ערב. אתם לא מקשיבים לי.",
    },
}


def takeover_lines(t: dict[str, str]) -> list[Line]:
    """Two take-overs: the rep starts 0.5 s before the customer stops, for more than a
    backchannel in time and words."""
    return [
        ("a1", 0.5, 3.0, t["hello"]),
        ("c1", 3.5, 12.0, t["c1"]),
        ("a1", 11.5, 20.0, t["a1"]),
        ("c1", 20.6, 30.0, t["c2"]),
        ("a1", 29.5, 38.0, t["a2"]),
        ("c1", 38.6, 40.0, t["ok"]),
    ]


@pytest.mark.parametrize("language", LANGS)
def test_listen_first_two_takeovers_fail(resources: Resources, language: str) -> None:
    lines = takeover_lines(LF[language])
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["listen_first"]
    assert v.verdict == "fail"
    assert v.reason == "2 take-overs of the customer"
    assert v.evidence == [ev(CUSTOMER_REP, lines[2]), ev(CUSTOMER_REP, lines[4])]
    assert card.metrics.take_overs == 2
    # Raised when it is known: the rep has outlasted a backchannel (1 s) and the VAD's silence
    # wait has passed; the second take-over falls inside the 30 s cooldown of the first nudge.
    assert nudges(card, "listen_first") == [("take_over", round(12.5 + HANGOVER, 2), "a1")]
    nudge = next(n for n in card.nudges if n.rubric == "listen_first")
    assert nudge.text == rubric_text(resources, "listen_first", "take_over", language)
    found = [
        (f.kind, round(f.at, 2), f.speaker, f.start)
        for f in card.findings
        if f.rubric == "listen_first"
    ]
    assert found == [
        ("take_over", round(12.5 + HANGOVER, 2), "a1", 11.5),
        ("take_over", round(30.5 + HANGOVER, 2), "a1", 29.5),
    ]


@pytest.mark.parametrize("language", LANGS)
def test_listen_first_one_takeover_passes(resources: Resources, language: str) -> None:
    lines = takeover_lines(LF[language])
    lines[4] = ("a1", 31.0, 38.0, lines[4][3])  # the rep waits for the customer this time
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["listen_first"]
    assert (v.verdict, v.reason) == ("pass", "1 take-over(s), no not-heard signal")
    assert v.evidence == [ev(CUSTOMER_REP, lines[2])]
    assert card.metrics.take_overs == 1


@pytest.mark.parametrize("language", LANGS)
def test_listen_first_backchannel_overlap_passes(resources: Resources, language: str) -> None:
    t = LF[language]
    lines = [
        ("a1", 0.5, 3.0, t["hello"]),
        ("c1", 3.5, 12.0, t["c1"]),
        ("a1", 11.6, 12.0, t["backchannel"]),  # 0.4 s, the customer stops right after
        ("a1", 12.8, 18.0, t["reply"]),
        ("c1", 18.6, 28.0, t["c2"]),
        ("a1", 20.0, 20.4, t["backchannel"]),
        ("a1", 28.7, 33.0, t["reply"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["listen_first"]
    assert (v.verdict, v.reason, v.evidence) == ("pass", "0 take-over(s), no not-heard signal", [])
    assert nudges(card, "listen_first") == []
    assert card.metrics.take_overs == 0


@pytest.mark.parametrize("language", LANGS)
def test_listen_first_two_word_turns_are_not_counted(resources: Resources, language: str) -> None:
    """A 1.5 s "right, sure" over the customer's last words: nudged live from voice activity,
    but two words are a backchannel for the verdict."""
    t = LF[language]
    lines = [
        ("c1", 3.5, 12.0, t["c1"]),
        ("a1", 11.6, 13.1, t["two_words"]),
        ("c1", 13.6, 22.0, t["c2"]),
        ("a1", 21.6, 23.1, t["two_words"]),
        ("a1", 23.6, 30.0, t["reply"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert card.verdicts["listen_first"].verdict == "pass"
    assert card.metrics.take_overs == 0
    assert nudges(card, "listen_first") == [("take_over", round(12.6 + HANGOVER, 2), "a1")]


@pytest.mark.parametrize("language", LANGS)
def test_listen_first_not_heard_fails(resources: Resources, language: str) -> None:
    t = LF[language]
    lines = [
        ("a1", 0.5, 3.0, t["hello"]),
        ("c1", 3.5, 12.0, t["c1"]),
        ("a1", 12.6, 18.0, t["reply"]),
        ("c1", 18.6, 24.0, t["not_heard"]),
        ("a1", 24.6, 28.0, t["reply"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["listen_first"]
    assert (v.verdict, v.reason) == ("fail", "the customer said they were not heard")
    assert v.evidence == [ev(CUSTOMER_REP, lines[3])]
    assert v.evidence[0].role == "customer"
    assert nudges(card, "listen_first") == [("not_heard", 24.0, "a1")]
    nudge = next(n for n in card.nudges if n.rubric == "listen_first")
    assert nudge.severity == "critical"
    assert nudge.text == rubric_text(resources, "listen_first", "not_heard", language)


def test_listen_first_not_heard_from_the_rep_does_not_count(resources: Resources) -> None:
    lines = [
        ("c1", 0.5, 5.0, LF["en"]["c1"]),
        ("a1", 5.6, 9.0, "Sorry, I already told you the price earlier."),
    ]
    card = analyze(resources, "en", CUSTOMER_REP, lines)
    assert card.verdicts["listen_first"].verdict == "pass"


@pytest.mark.parametrize("language", LANGS)
def test_mono_call_is_na_for_speaker_rubrics(resources: Resources, language: str) -> None:
    t = LF[language]
    people = [Participant("customer", "customer", "C"), Participant("rep", "rep", "R")]
    info = call_info_for_audio(f"mono-{language}", language, people, channels=1)
    assert info.mono
    engine = resources.engine(info)
    transcripts = [
        Transcript(MONO_SPEAKER, a, b, text, True, i)
        for i, (_, a, b, text) in enumerate(
            [*takeover_lines(t), ("c1", 41.0, 46.0, t["not_heard"])]
        )
    ]
    replay_transcripts(engine, transcripts)
    card = engine.finish(46.0)
    for rubric in ("listen_first", "kind_rant_interrupt"):
        v = card.verdicts[rubric]
        assert (v.verdict, v.reason) == (
            "na",
            "needs the customer and the company on separate channels",
        )
    assert card.verdicts["no_reselling"].verdict == "na"
    assert card.verdicts["cs_leads"].verdict == "na"
    assert [n for n in card.nudges if n.rubric == "listen_first"] == []
    assert len(card.utterances) == 7  # transcribed all the same


# ==============================================================================================
# no_reselling
# ==============================================================================================

NR = {
    "en": {
        "hello": "Hi Sam, it's Dana from Ledgerly. I saw you asked to cancel, what happened?",
        "why": "Honestly, we're paying a lot and support takes days to answer.",
        "pitch1": "Did you know we also have a new dashboard that shows your cash flow?",
        "meh": "Okay.",
        "pitch2": "And our platform is the best on the market, "
        "nobody else offers automation like this.",
        "knows": "Look, I know what the product does. The problem is nobody answers my emails.",
        "pitch_after": "Sure, but have you seen the new version? It comes with automatic backups.",
        "asks": "What would the cheaper plan include?",
        "described": "The basic plan comes with two users and the dashboard, "
        "and it lets you export reports.",
        "answer": "I'm sorry it takes days. I'll make sure you get a named contact from tomorrow.",
    },
    "he": {
        "hello": "היי סהר, מדברת דנה מלדג'רלי. ראיתי שביקשת לבטל, מה קרה?",
        "why": "האמת, אנחנו משלמים הרבה והתמיכה עונה אחרי כמה ימים.",
        "pitch1": "ידעת שיש לנו עכשיו גם דשבורד חדש שמראה את תזרים המזומנים?",
        "meh": "אוקיי.",
        "pitch2": "והמערכת שלנו הכי מתקדמת בשוק, אין כמונו באוטומציה.",
        "knows": "תקשיבי, אני מכיר את המוצר. הבעיה היא שאף אחד לא עונה למיילים שלי.",
        "pitch_after": "בטח, אבל ראית את הגרסה החדשה? יש בה גיבוי אוטומטי.",
        "asks": "מה כולל המסלול הזול יותר?",
        "described": "המסלול הבסיסי כולל שני משתמשים ודשבורד, ואפשר גם לייצא דוחות.",
        "answer": "אני מצטערת שזה לוקח ימים. מחר יהיה לך איש קשר קבוע בשם.",
    },
}


@pytest.mark.parametrize("language", LANGS)
def test_no_reselling_two_pitches_fail(resources: Resources, language: str) -> None:
    t = NR[language]
    lines = [
        ("a1", 0.5, 5.0, t["hello"]),
        ("c1", 5.6, 10.0, t["why"]),
        ("a1", 10.6, 16.0, t["pitch1"]),
        ("c1", 16.6, 17.2, t["meh"]),
        ("a1", 17.8, 24.0, t["pitch2"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["no_reselling"]
    assert (v.verdict, v.reason) == ("fail", "2 pitch utterances")
    assert v.evidence == [ev(CUSTOMER_REP, lines[2]), ev(CUSTOMER_REP, lines[4])]
    # one card per kind within the 45 s cooldown
    assert nudges(card, "no_reselling") == [("pitch", 16.0, "a1")]


@pytest.mark.parametrize("language", LANGS)
def test_no_reselling_one_pitch_passes(resources: Resources, language: str) -> None:
    t = NR[language]
    lines = [
        ("a1", 0.5, 5.0, t["hello"]),
        ("c1", 5.6, 10.0, t["why"]),
        ("a1", 10.6, 16.0, t["pitch1"]),
        ("c1", 16.6, 17.2, t["meh"]),
        ("a1", 17.8, 24.0, t["answer"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["no_reselling"]
    assert (v.verdict, v.reason) == ("pass", "1 pitch utterance(s)")
    assert v.evidence == [ev(CUSTOMER_REP, lines[2])]
    finding = next(f for f in card.findings if f.rubric == "no_reselling")
    assert finding.kind == "pitch"
    assert finding.detail.startswith("pitch: ")


@pytest.mark.parametrize("language", LANGS)
def test_no_reselling_pitch_after_customer_knows_fails(resources: Resources, language: str) -> None:
    t = NR[language]
    lines = [
        ("a1", 0.5, 5.0, t["hello"]),
        ("c1", 5.6, 12.0, t["knows"]),
        ("a1", 12.6, 18.0, t["pitch_after"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["no_reselling"]
    assert (v.verdict, v.reason) == (
        "fail",
        "pitched after the customer said they know the product",
    )
    assert v.evidence == [ev(CUSTOMER_REP, lines[1]), ev(CUSTOMER_REP, lines[2])]
    assert nudges(card, "no_reselling") == [("pitch_after_knows", 18.0, "a1")]
    nudge = next(n for n in card.nudges if n.rubric == "no_reselling")
    assert nudge.severity == "critical"
    assert nudge.text == rubric_text(resources, "no_reselling", "pitch_after_knows", language)


@pytest.mark.parametrize("language", LANGS)
def test_no_reselling_asked_for_description_is_not_a_pitch(
    resources: Resources, language: str
) -> None:
    t = NR[language]
    lines = [
        ("a1", 0.5, 5.0, t["hello"]),
        ("c1", 5.6, 10.0, t["why"]),
        ("a1", 10.6, 15.0, t["answer"]),
        ("c1", 15.6, 18.0, t["asks"]),
        ("a1", 18.6, 26.0, t["described"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["no_reselling"]
    assert (v.verdict, v.reason, v.evidence) == ("pass", "0 pitch utterance(s)", [])
    assert nudges(card, "no_reselling") == []


@pytest.mark.parametrize("language", LANGS)
def test_no_reselling_unasked_description_is_a_pitch(resources: Resources, language: str) -> None:
    """The same description without the customer's question is a pitch."""
    t = NR[language]
    lines = [
        ("a1", 0.5, 5.0, t["hello"]),
        ("c1", 5.6, 10.0, t["why"]),
        ("a1", 18.6, 26.0, t["described"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert card.verdicts["no_reselling"].reason == "1 pitch utterance(s)"


@pytest.mark.parametrize("language", LANGS)
def test_no_reselling_na_without_a_company_speaker(resources: Resources, language: str) -> None:
    """A voicemail: only the customer speaks."""
    text = NR[language]["why"]
    card = analyze(resources, language, [("c1", "customer")], [("c1", 0.5, 6.0, text)])
    v = card.verdicts["no_reselling"]
    assert (v.verdict, v.reason) == ("na", "no company speaker in the call")
    assert card.verdicts["listen_first"].verdict == "na"
    assert card.verdicts["cs_leads"].verdict == "na"
    assert card.verdicts["kind_rant_interrupt"].verdict == "na"


# ==============================================================================================
# cs_leads
# ==============================================================================================

CS_PEOPLE = [("c1", "customer"), ("a1", "cs"), ("a2", "executive"), ("a3", "support")]

CS = {
    "en": {
        "cs_open": "Hi Dana, it's Maya, your account manager. Thanks for making the time today.",
        "exec_open": "Hi Dana, Greg here, head of sales. Thanks for your time.",
        "cust1": "We're thinking of leaving because the weekly reports keep arriving late.",
        "cs_ask": "Thanks for telling me. Which reports, and since when has it been happening?",
        "cust2": "The sales reports, since the summer. We plan the whole week around them.",
        "cs_fix": "I'll have them sent by eight every Monday, "
        "and I'll call you next Monday at ten.",
        "cust3": "Okay, that would help a lot.",
        "exec_close": "Dana, thank you for staying with us, we appreciate it.",
        "thanks": "Thanks.",
        "support": "Can you restart the app and log back in for me?",
        "exec_long": "Let me say something about where the company is going, we've invested "
        "heavily in reporting this year and the whole team is behind it.",
    },
    "he": {
        "cs_open": "היי דנה, מדברת מאיה, מנהלת הלקוח שלך. תודה שמצאת זמן היום.",
        "exec_open": 'היי דנה, מדבר גדי, סמנכ"ל המכירות. תודה על הזמן.',
        "cust1": "אנחנו שוקלים לעזוב כי הדוחות השבועיים כל הזמן מגיעים באיחור.",
        "cs_ask": "תודה שסיפרת. איזה דוחות, וממתי זה קורה?",
        "cust2": "דוחות המכירות, מאז הקיץ. אנחנו מתכננים את כל השבוע לפיהם.",
        "cs_fix": "אני דואגת שיישלחו עד שמונה בכל יום שני, ואתקשר אלייך בשני הבא בעשר.",
        "cust3": "אוקיי, זה יעזור מאוד.",
        "exec_close": "דנה, תודה שאת נשארת איתנו, אנחנו מעריכים את זה.",
        "thanks": "תודה.",
        "support": "תנסי לאתחל את האפליקציה ולהיכנס שוב, בבקשה.",
        "exec_long": "אני רוצה להגיד משהו על הכיוון של החברה, השקענו השנה המון בדוחות וכל "
        "הצוות מאחורי זה.",
    },
}


def cs_body(t: dict[str, str], start: float) -> list[Line]:
    s = start
    return [
        ("c1", s, s + 12.4, t["cust1"]),
        ("a1", s + 13.0, s + 24.4, t["cs_ask"]),
        ("c1", s + 25.0, s + 37.4, t["cust2"]),
        ("a1", s + 38.0, s + 50.4, t["cs_fix"]),
        ("c1", s + 51.0, s + 54.4, t["cust3"]),
    ]


@pytest.mark.parametrize("language", LANGS)
def test_cs_leads_na_with_one_company_speaker(resources: Resources, language: str) -> None:
    t = CS[language]
    lines = [("a1", 0.5, 7.0, t["cs_open"]), *cs_body(t, 7.6)]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["cs_leads"]
    assert (v.verdict, v.reason) == ("na", "one company participant: nobody else to lead")
    assert nudges(card, "cs_leads") == []


@pytest.mark.parametrize("language", LANGS)
def test_cs_leads_pass_when_cs_opens_and_exec_speaks_briefly_at_the_end(
    resources: Resources, language: str
) -> None:
    t = CS[language]
    people = CS_PEOPLE[:3]
    lines = [
        ("a1", 0.5, 7.0, t["cs_open"]),
        *cs_body(t, 7.6),
        ("a2", 63.0, 67.0, t["exec_close"]),
        ("c1", 67.5, 68.5, t["thanks"]),
    ]
    card = analyze(resources, language, people, lines)
    v = card.verdicts["cs_leads"]
    assert (v.verdict, v.reason) == ("pass", "the CS owner opened and led the call")
    assert v.evidence == [ev(people, lines[0])]
    assert nudges(card, "cs_leads") == []


@pytest.mark.parametrize("language", LANGS)
def test_cs_leads_fail_when_the_executive_opens(resources: Resources, language: str) -> None:
    t = CS[language]
    people = CS_PEOPLE[:3]
    lines = [
        ("a2", 0.5, 4.5, t["exec_open"]),
        ("a1", 5.0, 11.5, t["cs_open"]),
        *cs_body(t, 12.1),
    ]
    card = analyze(resources, language, people, lines)
    v = card.verdicts["cs_leads"]
    assert (v.verdict, v.reason) == ("fail", "the company was opened by executive")
    assert v.evidence == [ev(people, lines[0])]
    assert v.evidence[0].role == "executive"
    # the CS owner is told to take the lead as soon as the opening is known
    assert nudges(card, "cs_leads") == [("take_the_lead", 4.5, "a1")]
    nudge = next(n for n in card.nudges if n.rubric == "cs_leads")
    assert nudge.text == rubric_text(resources, "cs_leads", "take_the_lead", language)


@pytest.mark.parametrize("language", LANGS)
def test_cs_leads_fail_when_support_troubleshoots(resources: Resources, language: str) -> None:
    t = CS[language]
    people = [CS_PEOPLE[0], CS_PEOPLE[1], CS_PEOPLE[3]]
    lines = [
        ("a1", 0.5, 7.0, t["cs_open"]),
        ("c1", 7.6, 20.0, t["cust1"]),
        ("a3", 20.6, 25.0, t["support"]),
        ("c1", 25.6, 27.0, t["cust3"]),
    ]
    card = analyze(resources, language, people, lines)
    v = card.verdicts["cs_leads"]
    assert (v.verdict, v.reason) == ("fail", "support troubleshot in the call")
    assert v.evidence == [ev(people, lines[2])]
    assert v.evidence[0].role == "support"
    assert nudges(card, "cs_leads") == [("let_cs_lead", 25.0, "a1")]


@pytest.mark.parametrize("language", LANGS)
def test_cs_leads_fail_when_the_executive_talks_at_length_early(
    resources: Resources, language: str
) -> None:
    t = CS[language]
    people = CS_PEOPLE[:3]
    lines = [
        ("a1", 0.5, 7.0, t["cs_open"]),
        ("a2", 7.6, 19.6, t["exec_long"]),  # 12 s, well before the last fifth
        *cs_body(t, 20.2),
        ("a1", 75.2, 95.2, t["cs_fix"]),
        ("c1", 95.8, 97.0, t["thanks"]),
    ]
    card = analyze(resources, language, people, lines)
    v = card.verdicts["cs_leads"]
    assert (v.verdict, v.reason) == (
        "fail",
        "the executive spoke at length before the last part of the call",
    )
    assert v.evidence == [ev(people, lines[1])]
    # raised from voice activity once the turn passes 10 s
    assert nudges(card, "cs_leads") == [("let_cs_lead", round(17.6 + HANGOVER, 2), "a1")]


# ==============================================================================================
# kind_rant_interrupt
# ==============================================================================================

RANT = {
    "en": {
        "hello": "Hi Victor, it's Alicia from Northbeam. What's been going on?",
        "rant": [
            "Since March the app has crashed every Monday morning right when we open the shop.",
            "I called support four times and every time someone new asks me to start over.",
            "We lost two big orders because the invoices never went out, and nobody warned us.",
            "My accountant spent a whole weekend fixing the numbers by hand, a whole weekend.",
        ],
        "backchannels": ["Mm-hm.", "Right."],
        "kind": "I'm sorry, that sounds exhausting. Let me make sure I've got this right: the app "
        "crashes every Monday, support starts over each time, and you lost two orders.",
        "harsh": "Okay, calm down. Let me talk for a second, there is a process for this.",
        "abrupt": "Wait, wait. We can fix the invoices today.",
        "flat": "We can send a technician on Monday morning.",
        "after": "Yes. That's exactly it.",
    },
    "he": {
        "hello": "היי ויקטור, מדברת עליזה מנורת'ביים. מה קורה אצלכם?",
        "rant": [
            "מאז מרץ האפליקציה קורסת כל יום שני בבוקר, בדיוק כשאנחנו פותחים את החנות.",
            "התקשרתי לתמיכה ארבע פעמים, ובכל פעם מישהו חדש מבקש ממני להתחיל מההתחלה.",
            "הפסדנו שתי הזמנות גדולות כי החשבוניות לא יצאו, ואף אחד לא הזהיר אותנו.",
            "רואת החשבון שלי ישבה סוף שבוע שלם ותיקנה את המספרים ביד, סוף שבוע שלם.",
        ],
        "backchannels": ["כן.", "אהה."],
        "kind": "אני מצטערת, זה נשמע מתיש. רק לוודא שהבנתי נכון: האפליקציה קורסת כל שני, "
        "התמיכה מתחילה כל פעם מחדש, והפסדתם שתי הזמנות.",
        "harsh": "תירגע, תן לי לדבר רגע, יש לנו נוהל בשביל זה.",
        "abrupt": "רגע, רגע. את החשבוניות אפשר לתקן עוד היום.",
        "flat": "אנחנו יכולים לשלוח טכנאי ביום שני בבוקר.",
        "after": "כן. בדיוק זה.",
    },
}

RANT_START = 7.3
RANT_PEOPLE = [("c1", "customer"), ("a1", "cs")]


def rant_lines(language: str, until: float, step_in: str) -> list[Line]:
    """The CS owner opens, the customer holds the floor from RANT_START to `until` (12 s turns,
    1.5 s pauses, a short backchannel in every other turn), then the CS owner steps in 1.2 s
    after the customer stops."""
    t = RANT[language]
    lines: list[Line] = [("a1", 0.5, 6.0, t["hello"])]
    start, i = RANT_START, 0
    while start < until:
        end = min(start + 12.0, until)
        lines.append(("c1", round(start, 2), round(end, 2), t["rant"][i % 4]))
        if i % 2 == 0 and end - start > 8:
            lines.append(
                ("a1", round(start + 5.0, 2), round(start + 5.5, 2), t["backchannels"][i // 2 % 2])
            )
        start, i = end + 1.5, i + 1
    at = round(until + 1.2, 2)
    lines.append(("a1", at, at + 9.0, t[step_in]))
    lines.append(("c1", at + 9.6, at + 11.0, t["after"]))
    return lines


def step_in_line(lines: list[Line]) -> Line:
    return lines[-2]


@pytest.mark.parametrize("language", LANGS)
def test_rant_with_kind_step_in_passes(resources: Resources, language: str) -> None:
    lines = rant_lines(language, until=137.3, step_in="kind")  # 130 s on the floor
    card = analyze(resources, language, RANT_PEOPLE, lines)
    v = card.verdicts["kind_rant_interrupt"]
    assert (v.verdict, v.reason) == ("pass", "1 rant(s) ended by a kind step-in")
    assert v.evidence == [ev(RANT_PEOPLE, step_in_line(lines))]
    assert v.evidence[0].start == 138.5
    rant = [n for n in card.nudges if n.rubric == "kind_rant_interrupt"]
    assert [(n.kind, n.to) for n in rant] == [("rant", "a1")]
    assert rant[0].at == pytest.approx(RANT_START + 120, abs=0.01)
    assert rant[0].text == rubric_text(resources, "kind_rant_interrupt", "rant", language)
    finding = next(f for f in card.findings if f.rubric == "kind_rant_interrupt")
    assert (finding.kind, finding.start) == ("rant", RANT_START)
    assert finding.at == pytest.approx(RANT_START + 120, abs=0.01)
    # backchannels under a second do not break the customer's hold on the floor
    assert card.metrics.longest_monologue["customer"] == pytest.approx(130.0, abs=0.01)
    # nor are they take-overs
    assert card.verdicts["listen_first"].verdict == "pass"


@pytest.mark.parametrize("language", LANGS)
def test_rant_ended_by_harsh_step_in_fails(resources: Resources, language: str) -> None:
    lines = rant_lines(language, until=137.3, step_in="harsh")
    card = analyze(resources, language, RANT_PEOPLE, lines)
    v = card.verdicts["kind_rant_interrupt"]
    expected = {"en": "calm down", "he": "תירגע"}[language]
    assert (v.verdict, v.reason) == ("fail", f"harsh step-in ({expected!r})")
    assert v.evidence == [ev(RANT_PEOPLE, step_in_line(lines))]
    assert [(n.kind, n.at) for n in card.nudges if n.rubric == "kind_rant_interrupt"] == [
        ("rant", pytest.approx(RANT_START + 120, abs=0.01))
    ]


@pytest.mark.parametrize("language", LANGS)
def test_rant_cut_off_without_acknowledging_fails(resources: Resources, language: str) -> None:
    lines = rant_lines(language, until=137.3, step_in="abrupt")
    v = analyze(resources, language, RANT_PEOPLE, lines).verdicts["kind_rant_interrupt"]
    assert (v.verdict, v.reason) == (
        "fail",
        "the step-in cut the customer off without acknowledging",
    )


@pytest.mark.parametrize("language", LANGS)
def test_rant_step_in_without_summary_fails(resources: Resources, language: str) -> None:
    lines = rant_lines(language, until=137.3, step_in="flat")
    v = analyze(resources, language, RANT_PEOPLE, lines).verdicts["kind_rant_interrupt"]
    assert (v.verdict, v.reason) == (
        "fail",
        "the step-in did not acknowledge or sum up what was said",
    )


@pytest.mark.parametrize("language", LANGS)
def test_rant_past_three_minutes_fails_with_a_reminder(resources: Resources, language: str) -> None:
    lines = rant_lines(language, until=200.3, step_in="kind")
    card = analyze(resources, language, RANT_PEOPLE, lines)
    v = card.verdicts["kind_rant_interrupt"]
    # the rant runs from 7.3 s to the step-in at 201.5 s
    assert (v.verdict, v.reason) == ("fail", "a rant ran 194 s before anyone stepped in")
    assert v.evidence == [ev(RANT_PEOPLE, step_in_line(lines))]
    rant = [n for n in card.nudges if n.rubric == "kind_rant_interrupt"]
    assert [(n.kind, n.to, n.severity) for n in rant] == [
        ("rant", "a1", "warning"),
        ("rant_reminder", "a1", "critical"),
    ]
    assert rant[0].at == pytest.approx(RANT_START + 120, abs=0.01)
    assert rant[1].at == pytest.approx(RANT_START + 180, abs=0.01)
    assert rant[1].text == rubric_text(resources, "kind_rant_interrupt", "rant_reminder", language)


@pytest.mark.parametrize("language", LANGS)
def test_no_rant_is_na(resources: Resources, language: str) -> None:
    lines = rant_lines(language, until=67.3, step_in="kind")  # a minute of venting
    card = analyze(resources, language, RANT_PEOPLE, lines)
    v = card.verdicts["kind_rant_interrupt"]
    assert (v.verdict, v.reason, v.evidence) == ("na", "no rant reached 120 s", [])
    assert [n for n in card.nudges if n.rubric == "kind_rant_interrupt"] == []


@pytest.mark.parametrize("language", LANGS)
def test_company_turn_breaks_the_rant(resources: Resources, language: str) -> None:
    """A company turn longer than a backchannel in the middle: two 65 s stretches, no rant."""
    t = RANT[language]
    first = rant_lines(language, until=67.3, step_in="flat")[:-1]
    second = [
        (s, a + 70.0, b + 70.0, text) for s, a, b, text in rant_lines(language, 67.3, "kind")[1:]
    ]
    lines = first + second
    assert any(line[3] == t["flat"] for line in lines)
    card = analyze(resources, language, RANT_PEOPLE, lines)
    assert card.verdicts["kind_rant_interrupt"].verdict == "na"
    assert [n for n in card.nudges if n.rubric == "kind_rant_interrupt"] == []


# ==============================================================================================
# offer_limit: counting
# ==============================================================================================

OFFERS = {
    "en": {
        "why": "We're moving abroad for a year, so I'd like to cancel.",
        "discount": "I can offer you a twenty percent discount for the next six months.",
        "freeze": "We could also freeze your account for three months while you're away.",
        "free": "Then how about a free month on us to think it over?",
        "again": "And that discount is still there if you change your mind.",
        "no": "No, thanks.",
        "off": "I'll switch off the alerts on the back door tonight.",
    },
    "he": {
        "why": 'אנחנו עוברים לחו"ל לשנה, אז אני רוצה לבטל.',
        "discount": "אני יכולה להציע לך הנחה של עשרים אחוז לחצי שנה.",
        "freeze": "אפשר גם להקפיא את המנוי לשלושה חודשים בזמן שאתם בחוץ לארץ.",
        "free": "אז מה דעתך על חודש חינם עלינו, כדי לחשוב על זה בשקט?",
        "again": "וההנחה הזאת עדיין בתוקף אם תתחרטי.",
        "no": "לא, תודה.",
        "off": "אני אכבה לך את ההתראות בדלת האחורית הלילה.",
    },
}


@pytest.mark.parametrize("language", LANGS)
def test_offer_limit_three_distinct_offers_fail(resources: Resources, language: str) -> None:
    t = OFFERS[language]
    lines = [
        ("c1", 0.5, 4.0, t["why"]),
        ("a1", 4.6, 9.0, t["discount"]),
        ("c1", 9.6, 10.6, t["no"]),
        ("a1", 11.2, 16.0, t["freeze"]),
        ("c1", 16.6, 17.6, t["no"]),
        ("a1", 18.2, 22.0, t["free"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["offer_limit"]
    assert (v.verdict, v.reason) == ("fail", "3 distinct offers (discount, freeze, free_period)")
    assert v.evidence == [ev(CUSTOMER_REP, lines[i]) for i in (1, 3, 5)]
    assert card.metrics.offers == 3
    # the nudge comes with the second offer
    assert nudges(card, "offer_limit") == [("offers_made", 16.0, "a1")]
    details = [f.detail for f in card.findings if f.rubric == "offer_limit"]
    assert details == ["offer 1: discount", "offer 2: freeze", "offer 3: free_period"]


@pytest.mark.parametrize("language", LANGS)
def test_offer_limit_repeated_offer_counts_once(resources: Resources, language: str) -> None:
    t = OFFERS[language]
    lines = [
        ("c1", 0.5, 4.0, t["why"]),
        ("a1", 4.6, 9.0, t["discount"]),
        ("c1", 9.6, 10.6, t["no"]),
        ("a1", 11.2, 15.0, t["again"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["offer_limit"]
    assert (v.verdict, v.reason) == ("pass", "1 offer(s) (discount)")
    assert v.evidence == [ev(CUSTOMER_REP, lines[1])]
    assert card.metrics.offers == 1
    assert nudges(card, "offer_limit") == []


# Carrying out offers already made ("I'll put the twenty percent on for the six months tonight")
# and restating the customer's situation ("so basically you're paying for a year abroad") are no
# new offers.
CARRIED_OUT = {
    "en": (
        "Okay. I'll put the twenty percent on for the six months tonight, and the three month "
        "freeze after it.",
        "So basically you're paying for a whole year you won't be here for.",
    ),
    "he": (
        "אוקיי. אני מכניסה הלילה את העשרים אחוז לחצי שנה, ואחר כך את ההקפאה לשלושה חודשים.",
        "אז בעצם אתה משלם על שנה שלמה שלא תהיה פה.",
    ),
}


@pytest.mark.parametrize("language", LANGS)
def test_offer_limit_carrying_out_or_restating_is_no_new_offer(
    resources: Resources, language: str
) -> None:
    t = OFFERS[language]
    carried_out, restated = CARRIED_OUT[language]
    lines = [
        ("c1", 0.5, 4.0, t["why"]),
        ("a1", 4.6, 8.0, restated),
        ("c1", 8.6, 9.6, t["no"]),
        ("a1", 10.2, 15.0, t["discount"]),
        ("c1", 15.6, 16.6, t["no"]),
        ("a1", 17.2, 22.0, t["freeze"]),
        ("c1", 22.6, 23.6, t["no"]),
        ("a1", 24.2, 30.0, carried_out),
    ]
    v = analyze(resources, language, CUSTOMER_REP, lines).verdicts["offer_limit"]
    assert (v.verdict, v.reason) == ("pass", "2 offer(s) (discount, freeze)")


@pytest.mark.parametrize("language", LANGS)
def test_offer_limit_two_offers_pass(resources: Resources, language: str) -> None:
    t = OFFERS[language]
    lines = [
        ("c1", 0.5, 4.0, t["why"]),
        ("a1", 4.6, 9.0, t["discount"]),
        ("c1", 9.6, 10.6, t["no"]),
        ("a1", 11.2, 16.0, t["freeze"]),
    ]
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert card.verdicts["offer_limit"].verdict == "pass"
    assert card.verdicts["offer_limit"].reason == "2 offer(s) (discount, freeze)"
    assert nudges(card, "offer_limit") == [("offers_made", 16.0, "a1")]


@pytest.mark.parametrize("language", LANGS)
def test_offer_limit_na_without_offers(resources: Resources, language: str) -> None:
    t = OFFERS[language]
    lines = [("c1", 0.5, 4.0, t["why"]), ("a1", 4.6, 8.0, NR[language]["answer"])]
    v = analyze(resources, language, CUSTOMER_REP, lines).verdicts["offer_limit"]
    assert (v.verdict, v.reason, v.evidence) == ("na", "no retention offer was made", [])


@pytest.mark.parametrize("language", LANGS)
def test_offer_from_the_customer_is_not_counted(resources: Resources, language: str) -> None:
    t = OFFERS[language]
    lines = [("c1", 0.5, 4.0, t["discount"]), ("a1", 4.6, 8.0, NR[language]["answer"])]
    assert analyze(resources, language, CUSTOMER_REP, lines).verdicts["offer_limit"].verdict == "na"


# Offers put as questions, phrased unlike the rubric file's examples.
QUESTION_OFFERS = {
    "en": [
        "Would a discount help you stay?",
        "What if I moved you to the smaller plan?",
        "Would you be open to a shorter contract with no exit fee?",
    ],
    "he": [
        "הנחה תעזור לך להישאר?",
        "אולי נוריד לך שליש מהתשלום החודשי, מה אתה אומר?",
        "מה תגיד על חוזה קצר יותר בלי קנס יציאה?",
    ],
}
RAISED = {
    "en": [
        "I can give you a ten percent discount on the renewal.",
        "Okay, I can stretch it to a twenty percent discount.",
        "So that's the twenty percent discount, if you want it.",
    ],
    "he": [
        "אני יכולה לתת לך הנחה של עשרה אחוז על החידוש.",
        "טוב, אני יכולה למתוח את זה להנחה של עשרים אחוז.",
        "אז ההנחה של עשרים אחוז עומדת, אם תרצה.",
    ],
}


def _offer_call(language: str, offers: list[str]) -> list[Line]:
    lines: list[Line] = [("c1", 0.5, 4.0, OFFERS[language]["why"])]
    t = 4.6
    for text in offers:
        lines.append(("a1", t, t + 4.0, text))
        lines.append(("c1", t + 4.6, t + 5.6, OFFERS[language]["no"]))
        t += 6.2
    return lines


@pytest.mark.parametrize("language", LANGS)
def test_offer_limit_offers_as_questions_count(resources: Resources, language: str) -> None:
    lines = _offer_call(language, QUESTION_OFFERS[language])
    card = analyze(resources, language, CUSTOMER_REP, lines)
    v = card.verdicts["offer_limit"]
    assert v.verdict == "fail" and v.reason.startswith("3 distinct offers"), v.reason
    assert v.evidence == [ev(CUSTOMER_REP, lines[i]) for i in (1, 3, 5)]
    two = analyze(resources, language, CUSTOMER_REP, lines[:4]).verdicts["offer_limit"]
    assert (two.verdict, two.reason[:1]) == ("pass", "2")


@pytest.mark.parametrize("language", LANGS)
def test_offer_limit_a_raised_figure_is_a_new_offer(resources: Resources, language: str) -> None:
    # ten percent, then twenty: two offers; the twenty percent said again: still two.
    lines = _offer_call(language, RAISED[language])
    v = analyze(resources, language, CUSTOMER_REP, lines).verdicts["offer_limit"]
    assert (v.verdict, v.reason) == ("pass", "2 offer(s) (discount, discount)")
    assert v.evidence == [ev(CUSTOMER_REP, lines[i]) for i in (1, 3)]


# outcome: the customer taking an offer early in the call, then talk of other things.
ACCEPTED = {
    "en": [
        ("c1", "I want to cancel, it just costs too much."),
        ("a1", "What if I took fifteen dollars off every month?"),
        ("c1", "Yeah okay, that would help."),
        ("a1", "Great. I'll also check why the router keeps dropping at night, one second."),
        ("c1", "Sure. It's mostly after ten, when the kids are streaming."),
        ("a1", "I see two resets last week. I'll book a technician for Thursday morning."),
        ("c1", "Thursday morning is fine."),
        ("a1", "Anything else I can help with today?"),
        ("c1", "No, that's all, thanks."),
    ],
    "he": [
        ("c1", "אני רוצה לבטל, זה פשוט יקר מדי."),
        ("a1", "מה אם אוריד לך חמישה עשר שקל בכל חודש?"),
        ("c1", "כן בבקשה, זה יעזור."),
        ("a1", "מצוין. אני גם אבדוק למה הראוטר מתנתק בלילה, רגע אחד."),
        ("c1", "בטח. זה בעיקר אחרי עשר, כשהילדים רואים סדרות."),
        ("a1", "אני רואה שני איפוסים בשבוע שעבר. אזמין לך טכנאי ליום חמישי בבוקר."),
        ("c1", "חמישי בבוקר מתאים."),
        ("a1", "יש עוד משהו שאני יכולה לעזור בו היום?"),
        ("c1", "לא, זה הכול, תודה."),
    ],
}
DECLINED = {
    "en": "No deal is going to fix a line that drops every night, that would help nobody.",
    "he": "שום הצעה לא תתקן קו שמתנתק כל לילה, זה לא יעזור.",
}


def _timed(pairs: list[tuple[str, str]]) -> list[Line]:
    lines: list[Line] = []
    t = 0.5
    for speaker, text in pairs:
        dur = max(1.0, round(len(text.split()) / 2.5, 1))
        lines.append((speaker, t, round(t + dur, 2), text))
        t = round(t + dur + 0.6, 2)
    return lines


@pytest.mark.parametrize("language", LANGS)
def test_outcome_saved_when_the_customer_takes_an_offer(
    resources: Resources, language: str
) -> None:
    pairs = ACCEPTED[language]
    card = analyze(resources, language, CUSTOMER_REP, _timed(pairs))
    assert card.outcome == "saved"
    # the same call with the offer turned down is not saved
    declined = [*pairs[:2], ("c1", DECLINED[language]), *pairs[3:]]
    assert analyze(resources, language, CUSTOMER_REP, _timed(declined)).outcome != "saved"


# A yes is one sentence of the reply, said with emphasis or beside a "not" about something else;
# a yes taken back in its own sentence is none.
YES_IN_A_SENTENCE = {
    "en": (
        "That would actually help. He doesn't like waiting in, to be honest.",
        "That would help, but no.",
    ),
    "he": ("זה באמת יעזור. הוא לא אוהב לחכות בבית, האמת.", "זה יעזור, אבל לא."),
}


@pytest.mark.parametrize("language", LANGS)
def test_outcome_a_yes_is_read_sentence_by_sentence(resources: Resources, language: str) -> None:
    yes, taken_back = YES_IN_A_SENTENCE[language]
    pairs = ACCEPTED[language]
    said_yes = [*pairs[:2], ("c1", yes), *pairs[3:]]
    assert analyze(resources, language, CUSTOMER_REP, _timed(said_yes)).outcome == "saved"
    said_no = [*pairs[:2], ("c1", taken_back), *pairs[3:]]
    assert analyze(resources, language, CUSTOMER_REP, _timed(said_no)).outcome != "saved"


# A yes said as telling the company to go ahead ("go on then", "תעשי לי את זה", "נו, טוב")
# takes the offer like an accept phrase; the same words refused are none.
GO_AHEAD = {
    "en": ("Go on then. Get it fitted Thursday.", "Go on then, but no, I still want to leave."),
    "he": ("נו, טוב. תעשי לי את זה.", "תעשי לי את זה רק אם אין ברירה, אבל לא."),
}


@pytest.mark.parametrize("language", LANGS)
def test_outcome_a_go_ahead_takes_the_offer(resources: Resources, language: str) -> None:
    yes, refused = GO_AHEAD[language]
    pairs = ACCEPTED[language]
    said_yes = [*pairs[:2], ("c1", yes), *pairs[3:]]
    assert analyze(resources, language, CUSTOMER_REP, _timed(said_yes)).outcome == "saved"
    said_no = [*pairs[:2], ("c1", refused), *pairs[3:]]
    assert analyze(resources, language, CUSTOMER_REP, _timed(said_no)).outcome != "saved"


# A decision on a condition is still open ("if it comes out the same price, I'm staying"), unless
# the condition is the offer just made ("if you bring Sveta back, we're staying").
CONDITIONAL = {
    "en": [
        ("c1", "I'm thinking of leaving, the other company is cheaper."),
        ("a1", "What if we brought back your regular carer, Sveta, on her old days?"),
        ("c1", "If Sveta comes back, we're staying."),
        ("a1", "Good. I'll call you tomorrow at two to confirm the days."),
        ("c1", "Okay, thanks."),
    ],
    "he": [
        ("c1", "אני חושבת לעזוב, בחברה השנייה זה יותר זול."),
        ("a1", "מה אם נחזיר את סבטה, המטפלת הקבועה, לימים שהיו לה?"),
        ("c1", "אם סבטה חוזרת, אנחנו נשארות."),
        ("a1", "מצוין. אני מתקשרת אלייך מחר בשתיים לאשר את הימים."),
        ("c1", "אוקיי, תודה."),
    ],
}
OPEN_CONDITION = {
    "en": "If the bill comes out about the same as theirs, I'm staying.",
    "he": "אם החשבון יוצא בערך כמו אצלם, אני נשארת.",
}


@pytest.mark.parametrize("language", LANGS)
def test_outcome_a_decision_on_a_condition(resources: Resources, language: str) -> None:
    pairs = CONDITIONAL[language]
    assert analyze(resources, language, CUSTOMER_REP, _timed(pairs)).outcome == "saved"
    # no offer before it: the decision waits on the bill
    no_offer = [pairs[0], ("a1", NR[language]["answer"]), ("c1", OPEN_CONDITION[language])]
    assert analyze(resources, language, CUSTOMER_REP, _timed(no_offer)).outcome == "undecided"


# outcome: the customer's last decisive words. Putting it off after an offer is undecided; a yes
# to a plan the company described because the customer asked about it is saved.
DEFERRED = {
    "en": [
        ("c1", "I'm thinking of leaving, the bill keeps going up."),
        ("a1", "I can take ten dollars off every month for a year."),
        ("c1", "Hmm. Maybe. I'd want to go over it with my husband tonight before I say anything."),
        ("a1", "Of course. Is there anything else I can help with?"),
        ("c1", "No, that's all for now."),
    ],
    "he": [
        ("c1", "אני חושבת לעזוב, החשבון כל הזמן עולה."),
        ("a1", "אני יכול להוריד לך עשרה שקלים בכל חודש לשנה."),
        ("c1", "אולי. אני רוצה לעבור על זה עם בעלי הערב לפני שאני עונה."),
        ("a1", "בטח. יש עוד משהו שאני יכול לעזור בו?"),
        ("c1", "לא, זה הכול בינתיים."),
    ],
}


@pytest.mark.parametrize("language", LANGS)
def test_outcome_undecided_when_the_customer_puts_it_off(
    resources: Resources, language: str
) -> None:
    card = analyze(resources, language, CUSTOMER_REP, _timed(DEFERRED[language]))
    assert card.outcome == "undecided"
    assert card.verdicts["leave_door_open"].verdict == "na"


@pytest.mark.parametrize("language", LANGS)
def test_outcome_saved_on_a_yes_to_a_described_plan(resources: Resources, language: str) -> None:
    pairs = ASKED_ABOUT[language][:4] + [
        (
            "c1",
            {
                "en": "Okay, that makes sense, put me on that one.",
                "he": "אוקיי, זה נשמע הגיוני, תעביר אותי אליו.",
            }[language],
        ),
        (
            "a1",
            {
                "en": "Done, it starts on the first of the month.",
                "he": "בוצע, זה מתחיל בראשון לחודש.",
            }[language],
        ),
    ]
    card = analyze(resources, language, CUSTOMER_REP, _timed(pairs))
    assert card.outcome == "saved"


# outcome: a yes to the company asking the customer to stay is staying, like a yes to an offer.
PERSUADED = {
    "en": [
        ("c1", "I'd like to cancel, I've been thinking about it for a while."),
        ("a1", "Honestly, we'd really like you to stay, you've been with us for six years."),
        ("c1", "Alright, fine."),
        ("a1", "Thank you. Is there anything else I can do for you today?"),
        ("c1", "No, that's all."),
    ],
    "he": [
        ("c1", "אני רוצה לבטל, אני חושבת על זה כבר הרבה זמן."),
        ("a1", "האמת, אנחנו מאוד רוצים שתישארי איתנו, את אצלנו כבר שש שנים."),
        ("c1", "יאללה בסדר."),
        ("a1", "תודה. יש עוד משהו שאני יכול לעזור בו היום?"),
        ("c1", "לא, זה הכול."),
    ],
}


@pytest.mark.parametrize("language", LANGS)
def test_outcome_saved_on_a_yes_to_being_asked_to_stay(resources: Resources, language: str) -> None:
    pairs = PERSUADED[language]
    card = analyze(resources, language, CUSTOMER_REP, _timed(pairs))
    assert card.verdicts["say_we_want_you"].verdict == "pass"
    assert card.outcome == "saved"
    # without the ask, the same words answer nothing: the call is undecided
    bare = [pairs[0], ("a1", NR[language]["answer"]), *pairs[2:]]
    assert analyze(resources, language, CUSTOMER_REP, _timed(bare)).outcome == "undecided"


# outcome: a decision is often one sentence of a turn that says other things too; a stay said
# only negated ("I'm not saying I'm staying") decides nothing.
BURIED = {
    "en": [
        ("c1", "I want to cancel, the app keeps crashing in the middle of a game."),
        ("a1", "I'm sorry. What if I gave you a month free while the team fixes the crashes?"),
        (
            "c1",
            "A month free. Hm. Well, it costs me nothing, and the crashes are mostly at night "
            "anyway. Alright. Forget about the cancellation, put the month on, I'll keep playing.",
        ),
        ("a1", "Lovely, the free month is on your account now."),
        ("c1", "Thanks. Goodbye."),
    ],
    "he": [
        ("c1", "אני רוצה לבטל, האפליקציה קורסת באמצע משחק."),
        ("a1", "אני מצטער. מה אם אתן לך חודש חינם בזמן שהצוות מתקן את הקריסות?"),
        (
            "c1",
            "חודש חינם. הממ. טוב, זה לא עולה לי כלום, והקריסות הן בעיקר בלילה בכל מקרה. "
            "בסדר. תשכח מהביטול, תוסיף את החודש, אני ממשיך לשחק.",
        ),
        ("a1", "מעולה, החודש החינמי כבר בחשבון שלך."),
        ("c1", "תודה. להתראות."),
    ],
}
NOT_SAYING = {
    "en": "Look, I've been trying another service on the side. I'm not saying I'm leaving, but "
    "I'm not saying I'm staying either.",
    "he": "תראה, אני מנסה שירות אחר במקביל. אני לא אומרת שאני עוזבת, אבל אני גם לא אומרת "
    "שאני נשארת.",
}


@pytest.mark.parametrize("language", LANGS)
def test_outcome_from_one_sentence_of_a_longer_turn(resources: Resources, language: str) -> None:
    card = analyze(resources, language, CUSTOMER_REP, _timed(BURIED[language]))
    assert card.outcome == "saved"
    # the turn that doesn't decide, in its place, leaves the call undecided
    pairs = [*BURIED[language][:2], ("c1", NOT_SAYING[language]), *BURIED[language][3:4]]
    assert analyze(resources, language, CUSTOMER_REP, _timed(pairs)).outcome == "undecided"


# churn_stage: switching is an alternative already in use, said by the customer.
STAGE_LINES = {
    "en": {
        "switched": "I want to cancel. I've already signed up with Zipstream, "
        "they installed it yesterday.",
        "joined_you": "We signed up with you fourteen months ago and the first months were great.",
        "lately": "Lately the reports are wrong every week and nobody answers my emails.",
    },
    "he": {
        "switched": "אני רוצה לבטל. כבר חתמתי עם חברה אחרת, הם התקינו אצלי אתמול.",
        "joined_you": "הצטרפנו אליכם לפני שנה וחודשיים, והחודשים הראשונים היו מצוינים.",
        "lately": "בזמן האחרון הדוחות שגויים כל שבוע ואף אחד לא עונה למיילים שלי.",
    },
}


@pytest.mark.parametrize("language", LANGS)
def test_churn_stage_switching_needs_the_alternative_in_use(
    resources: Resources, language: str
) -> None:
    t = STAGE_LINES[language]
    switched = [("c1", 0.5, 6.0, t["switched"]), ("a1", 6.6, 10.0, NR[language]["answer"])]
    assert analyze(resources, language, CUSTOMER_REP, switched).churn_stage == "switching"
    # joining this company, then complaints: negative feelings, no alternative yet
    unhappy = [
        ("c1", 0.5, 6.0, t["joined_you"]),
        ("a1", 6.6, 8.0, NR[language]["answer"]),
        ("c1", 8.6, 14.0, t["lately"]),
    ]
    assert analyze(resources, language, CUSTOMER_REP, unhappy).churn_stage not in (
        "switching",
        "refrozen",
    )


# An offer laid out as an option, the customer asking what it includes, the answer describing it
# (not a new offer), then a different tool put as a conditional: two offers.
ASKED_ABOUT = {
    "en": [
        ("c1", "I'd like to stop the membership, I barely come in any more."),
        ("a1", "There's a lighter plan too, evenings only, for about half of what you pay."),
        ("c1", "What would that plan include exactly?"),
        ("a1", "The same classes after six, the app, and one guest pass a month, for twenty-two."),
        ("c1", "Hmm, I don't think so."),
        ("a1", "Okay. And if we paused the membership for two months instead?"),
        ("c1", "No, thanks."),
    ],
    "he": [
        ("c1", "אני רוצה להפסיק את המנוי, אני כמעט לא מגיע."),
        ("a1", "יש גם מסלול קליל יותר, רק בערבים, בערך בחצי ממה שאתה משלם."),
        ("c1", "מה בדיוק כולל המסלול הזה?"),
        ("a1", "את אותם שיעורים אחרי שש, את האפליקציה וכניסת אורח אחת בחודש, בעשרים ושניים שקל."),
        ("c1", "לא נראה לי."),
        ("a1", "אוקיי. ואם נקפיא לך את המנוי לחודשיים במקום?"),
        ("c1", "לא, תודה."),
    ],
}
# Money the customer has on the account, said while closing it: no offer.
BALANCE = {
    "en": "There's a balance of about twelve pounds left on the account, it goes back to your "
    "card once the final bill is done.",
    "he": "נשארה לך יתרה של בערך שנים עשר שקל בחשבון, היא חוזרת לכרטיס אחרי החשבון הסופי.",
}


@pytest.mark.parametrize("language", LANGS)
def test_offer_limit_an_answer_about_an_offered_plan_is_not_a_new_offer(
    resources: Resources, language: str
) -> None:
    lines = _timed(ASKED_ABOUT[language])
    v = analyze(resources, language, CUSTOMER_REP, lines).verdicts["offer_limit"]
    assert v.verdict == "pass" and v.reason.startswith("2 offer(s)"), v.reason
    assert v.evidence == [ev(CUSTOMER_REP, lines[i]) for i in (1, 5)]


@pytest.mark.parametrize("language", LANGS)
def test_offer_limit_a_balance_refunded_is_not_an_offer(
    resources: Resources, language: str
) -> None:
    lines = [("c1", 0.5, 4.0, OFFERS[language]["why"]), ("a1", 4.6, 11.0, BALANCE[language])]
    v = analyze(resources, language, CUSTOMER_REP, lines).verdicts["offer_limit"]
    assert v.verdict == "na", v.reason


# churn_stage by the stages' definitions: leaving for a reason of one's own with nothing against
# the company is content; a contract signed elsewhere but not yet in use, and the decision said,
# is anti; settled with the new provider is refrozen.
STAGES_BY_DEFINITION = {
    "en": {
        "content": "I'd like to cancel, please. We're moving to Spain in May, "
        "nothing to do with you.",
        "anti": "I've already signed up with another company, they start next month. "
        "Just tell me how to cancel.",
        "refrozen": "Thanks for calling, but we've been on the other system since spring and "
        "we're settled, there's no reason to come back.",
    },
    "he": {
        "content": "אני רוצה לבטל בבקשה. אנחנו עוברים לספרד במאי, זה לא קשור אליכם.",
        "anti": "כבר חתמתי עם חברה אחרת, הם מתחילים בחודש הבא. רק תגידו לי איך מבטלים.",
        "refrozen": "תודה שהתקשרת, אבל אנחנו כבר כמה חודשים אצל המתחרים, התרגלנו, "
        "אין לי סיבה לחזור.",
    },
}


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("stage", ["content", "anti", "refrozen"])
def test_churn_stage_by_its_definition(resources: Resources, language: str, stage: str) -> None:
    text = STAGES_BY_DEFINITION[language][stage]
    lines = [("c1", 0.5, 7.0, text), ("a1", 7.6, 11.0, NR[language]["answer"])]
    assert analyze(resources, language, CUSTOMER_REP, lines).churn_stage == stage


# churn_stage from the call itself: a grievance with the company and no alternative in use is
# thawing while the customer stays (repair is possible), anti when they leave in the call.
GRIEVANCE_CALL = {
    "en": {
        "grievance": "The app keeps logging me out and support never answered my two emails.",
        "stays": "Okay, that sounds fair. I'll stay.",
        "leaves": "No, just cancel it today, please.",
        "rep": "I'm sorry about that. I can have the login fixed this week.",
    },
    "he": {
        "grievance": "האפליקציה כל הזמן מנתקת אותי, והתמיכה לא ענתה לשני המיילים שלי.",
        "stays": "אוקיי, זה נשמע הוגן. אני נשאר.",
        "leaves": "לא, פשוט תבטלו לי היום, בבקשה.",
        "rep": "אני מצטער על זה. אני יכול לדאוג שההתחברות תתוקן השבוע.",
    },
}


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize(("ending", "stage"), [("stays", "thawing"), ("leaves", "anti")])
def test_churn_stage_of_a_grievance_by_how_the_call_ends(
    resources: Resources, language: str, ending: str, stage: str
) -> None:
    t = GRIEVANCE_CALL[language]
    lines = _timed([("c1", t["grievance"]), ("a1", t["rep"]), ("c1", t[ending])])
    card = analyze(resources, language, CUSTOMER_REP, lines)
    assert card.churn_reason in ("service", "product"), card.churn_reason
    assert (card.outcome, card.churn_stage) == (
        "saved" if ending == "stays" else "churned",
        stage,
    )


# churn_reason: a reason said negated is not given; a move far away is `other`.
REASONS = {
    "en": [
        (
            "It's not about the price at all, honestly. We just never use it since the kids left.",
            "non_usage",
        ),
        ("We're relocating to Portugal in the summer, so I need to close it.", "other"),
    ],
    "he": [
        ("זה בכלל לא עניין של מחיר. פשוט הילדים גדלו ואין לי צורך בזה.", "non_usage"),
        ("אנחנו עוברים לגור בפורטוגל בקיץ, אז אני צריכה לסגור את זה.", "other"),
    ],
}


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("case", [0, 1])
def test_churn_reason_negated_and_other(resources: Resources, language: str, case: int) -> None:
    text, reason = REASONS[language][case]
    lines = [("c1", 0.5, 7.0, text), ("a1", 7.6, 11.0, NR[language]["answer"])]
    assert analyze(resources, language, CUSTOMER_REP, lines).churn_reason == reason


# no_reselling: "I know what's in it" is a statement, not a question about a plan: the market
# comparison after it is a pitch after the customer said they know the product.
KNOWS_THEN_COMPARED = {
    "en": [
        ("c1", "I'd like to cancel, we hardly watch it any more."),
        ("a1", "Can I ask what changed for you?"),
        ("c1", "I've been with you for years, I know what's in it. We just don't watch."),
        ("a1", "Sure, but honestly no one gives you this many films for the price, we checked."),
    ],
    "he": [
        ("c1", "אני רוצה לבטל, אנחנו כמעט לא צופים."),
        ("a1", "אפשר לשאול מה השתנה אצלכם?"),
        ("c1", "אני איתכם שנים, אני יודעת מה יש אצלכם. אנחנו פשוט לא צופים."),
        ("a1", "בטח, אבל בינינו, אנחנו הכי משתלמים בשוק, בדקנו את כולם."),
    ],
}


@pytest.mark.parametrize("language", LANGS)
def test_no_reselling_comparison_after_i_know_whats_in_it(
    resources: Resources, language: str
) -> None:
    v = analyze(resources, language, CUSTOMER_REP, _timed(KNOWS_THEN_COMPARED[language]))
    assert v.verdicts["no_reselling"].verdict == "fail", v.verdicts["no_reselling"].reason


def test_switching_something_off_is_not_an_offer(resources: Resources) -> None:
    lines = [("c1", 0.5, 4.0, OFFERS["en"]["why"]), ("a1", 4.6, 9.0, OFFERS["en"]["off"])]
    assert analyze(resources, "en", CUSTOMER_REP, lines).verdicts["offer_limit"].verdict == "na"


# ==============================================================================================
# the labelled calls (only where the engine already meets the label; see tests/calls/README.md)
# ==============================================================================================

ALL_CALLS = [
    "en-alarm-long-vent-support-fixes",
    "en-cad-licence-winback-vp-opens",
    "en-carinsurance-cutoffs-asked-plan",
    "en-cloudhost-rant-kind-stop",
    "en-electricity-moving-abroad",
    "en-newspaper-pitches-three-offers",
    "he-afterschool-cutoffs-two-days",
    "he-dental-software-rant-summary",
    "he-office-cleaning-owner-opens-offers",
    "he-pilates-winback-moved-away",
    "he-restaurant-pos-tone-support",
    "he-streaming-pitch-after-i-know",
]
# Labels the phrase-based engine does not meet yet (bench/eval_calls.py --show-misses).
NOT_YET: set[tuple[str, str]] = set()
# These calls were read while building the rubrics (bench/eval_calls.py --show-misses): they hold
# what was built, they don't measure it.
CLASSES = ("outcome", "churn_reason", "churn_stage")
MET = [(c, r) for c in ALL_CALLS for r in RUBRIC_IDS if (c, r) not in NOT_YET]


@pytest.fixture(scope="module")
def labelled(resources: Resources) -> dict[str, tuple[CallFile, Scorecard]]:
    out = {}
    for name in ALL_CALLS:
        call = labelled_call(name)
        out[name] = (call, analyze_transcript(resources, call))
    return out


@pytest.mark.parametrize(("name", "rubric"), MET)
def test_labelled_call_verdict(
    labelled: dict[str, tuple[CallFile, Scorecard]], name: str, rubric: str
) -> None:
    call, card = labelled[name]
    assert call.expected is not None
    want = call.expected["verdicts"][rubric]
    v = card.verdicts[rubric]
    assert v.verdict == want, v.reason
    if v.verdict != "na" and rubric != "offer_limit":
        assert v.reason
    for e in v.evidence:  # every piece of evidence is an utterance of the call
        assert any(
            u.speaker == e.speaker and round(u.start, 2) == e.start and u.text == e.text
            for u in call.utterances
        ), e


CLASS_NOT_YET = {
    ("en-cad-licence-winback-vp-opens", "churn_reason"),
    ("en-cloudhost-rant-kind-stop", "churn_reason"),
    ("he-afterschool-cutoffs-two-days", "churn_reason"),
    ("he-pilates-winback-moved-away", "churn_stage"),
}


@pytest.mark.parametrize(
    ("name", "what"),
    [(c, k) for c in ALL_CALLS for k in CLASSES if (c, k) not in CLASS_NOT_YET],
)
def test_labelled_call_classification(
    labelled: dict[str, tuple[CallFile, Scorecard]], name: str, what: str
) -> None:
    call, card = labelled[name]
    assert call.expected is not None
    assert getattr(card, what) == call.expected[what]


def test_labelled_verdicts_cover_both_languages_and_outcomes() -> None:
    seen = {(name[:2], labelled_call(name).expected["verdicts"][r]) for name, r in MET}
    assert seen >= {(lang, v) for lang in LANGS for v in ("pass", "fail", "na")}


@pytest.mark.parametrize(
    "name",
    [
        "en-alarm-long-vent-support-fixes",
        "en-cloudhost-rant-kind-stop",
        "he-dental-software-rant-summary",
        "he-restaurant-pos-tone-support",
    ],
)
def test_labelled_rant_nudges_on_time(
    labelled: dict[str, tuple[CallFile, Scorecard]], name: str
) -> None:
    call, card = labelled[name]
    wanted: list[dict[str, Any]] = call.expected["nudges"]
    assert wanted
    for want in wanted:
        got = [n.at for n in card.nudges if n.rubric == want["rubric"] and n.kind == "rant"]
        assert len(got) == 1
        assert got[0] == pytest.approx(want["at"], abs=want.get("tolerance", 3.0))


def test_labelled_exec_opens_evidence(labelled: dict[str, tuple[CallFile, Scorecard]]) -> None:
    _, card = labelled["en-cad-licence-winback-vp-opens"]
    v = card.verdicts["cs_leads"]
    assert v.reason.startswith("the company was opened by executive")
    first = v.evidence[0]
    assert (first.speaker, first.role, first.start) == ("a2", "executive", 0.8)
    assert first.text.startswith("Hannah, hi, Greg Whitfield, head of sales")


def test_labelled_support_and_not_heard_evidence(
    labelled: dict[str, tuple[CallFile, Scorecard]],
) -> None:
    _, card = labelled["en-alarm-long-vent-support-fixes"]
    cs = card.verdicts["cs_leads"]
    assert cs.reason == "support troubleshot in the call"
    assert [(e.speaker, e.role, e.start) for e in cs.evidence] == [
        ("a3", "support", 213.49),
        ("a3", "support", 243.73),
    ]
    lf = card.verdicts["listen_first"]
    assert lf.reason == "the customer said they were not heard"
    assert (
        lf.evidence[0].speaker,
        lf.evidence[0].role,
        lf.evidence[0].start,
        lf.evidence[0].end,
    ) == ("c1", "customer", 234.02, 243.03)
    assert lf.evidence[0].text.startswith("Did you hear a word of what I just said?")
    rant = card.verdicts["kind_rant_interrupt"]
    assert rant.reason.startswith("a rant ran ") and "before anyone stepped in" in rant.reason


def test_labelled_asked_for_plan_is_not_a_pitch(
    labelled: dict[str, tuple[CallFile, Scorecard]],
) -> None:
    _, card = labelled["en-carinsurance-cutoffs-asked-plan"]
    assert card.verdicts["no_reselling"].reason == "0 pitch utterance(s)"
    assert card.verdicts["listen_first"].reason == "2 take-overs of the customer"


def test_labelled_hebrew_rant_kind_summary(labelled: dict[str, tuple[CallFile, Scorecard]]) -> None:
    _, card = labelled["he-dental-software-rant-summary"]
    v = card.verdicts["kind_rant_interrupt"]
    assert (v.verdict, v.reason) == ("pass", "1 rant(s) ended by a kind step-in")
    assert v.evidence and all(e.role == "cs" for e in v.evidence)
    rant = next(n for n in card.nudges if n.rubric == "kind_rant_interrupt")
    assert rant.text == "היכנס/י בעדינות: סכם/י מה ששמעת, ואז הכוון/י"


# ==============================================================================================
# determinism
# ==============================================================================================


@pytest.mark.parametrize("language", LANGS)
def test_replaying_a_call_twice_gives_the_same_result(resources: Resources, language: str) -> None:
    lines = rant_lines(language, until=200.3, step_in="harsh") + [
        (s, a + 220.0, b + 220.0, text) for s, a, b, text in takeover_lines(LF[language])
    ]
    call = make_call(language, CUSTOMER_REP, lines)
    first = analyze_transcript(resources, call)
    second = analyze_transcript(resources, call)
    assert first.nudges == second.nudges
    assert first.verdicts == second.verdicts
    assert first.to_dict() == second.to_dict()
    assert first.nudges  # there was something to compare


def test_labelled_call_replayed_twice_is_identical(resources: Resources) -> None:
    call = labelled_call("en-alarm-long-vent-support-fixes")
    cards = []
    for _ in range(2):
        engine = resources.engine(call.info())
        outputs = replay_transcripts(engine, call.transcripts())
        cards.append((outputs, engine.finish(max(u.end for u in call.utterances))))
    assert cards[0][0] == cards[1][0]
    assert cards[0][1].to_dict() == cards[1][1].to_dict()


# churn_reason: not using it, told by how rarely (no phrase of the list needed).
RARE_USE = {
    "en": "Nothing's wrong with you. It's that he's hardly been since January, "
    "he swims with his friends now.",
    "he": "אין לי שום טענה אליכם. פשוט מאז שעברתי לעבוד מהבית אני כמעט לא נוסע.",
}
FIT = {
    "en": "The replacement car was tiny, three people could barely fit in it, and the gearbox "
    "broke again.",
    "he": "הרכב החלופי היה קטן, שלושה אנשים בקושי נכנסים בו, ותיבת ההילוכים שוב התקלקלה.",
}


@pytest.mark.parametrize("language", LANGS)
def test_churn_reason_non_usage_by_how_rarely(resources: Resources, language: str) -> None:
    lines = [("c1", 0.5, 6.0, RARE_USE[language]), ("a1", 6.6, 10.0, NR[language]["answer"])]
    assert analyze(resources, language, CUSTOMER_REP, lines).churn_reason == "non_usage"
    lines = [("c1", 0.5, 6.0, FIT[language]), ("a1", 6.6, 10.0, NR[language]["answer"])]
    assert analyze(resources, language, CUSTOMER_REP, lines).churn_reason != "non_usage"
