"""Private data: redaction of transcripts (text, both languages, written and spoken), the engine
unchanged for calls without it, silenced audio in live and imported recordings (real Whisper on
espeak-ng speech, real websockets, real SQLite), and retention (the purge, the CLI, the
service's periodic task)."""

from __future__ import annotations

import asyncio
import io
import json
import re
import subprocess
import sys
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.api.main import create_app
from app.core.config import ROOT, Settings
from app.core.events import Participant
from app.pipeline.analyze import analyze_transcript
from app.pipeline.callfile import parse_call
from app.pipeline.resources import Resources
from app.privacy import redactor_for
from app.privacy.audio import merge, silence_pcm, silence_recording
from app.privacy.redact import Redactor, has_placeholder
from app.privacy.retention import cutoff_for, purge_rows, remove_files
from app.store import repo
from app.store.db import Database, migrate
from app.store.models import Call, Comment, Utterance
from app.streamer import stream_call
from tests.accounts import admin_headers, admin_key
from tests.conftest import all_labelled_calls, labelled_call
from tests.live_server import serve
from tests.synth import SR, Turn, render, write_wav

R = Redactor()


def redacted(text: str) -> str:
    return R.redact(text).text


# --- the text ---------------------------------------------------------------------------------

CARD = "4580 1234 5678 9015"  # Luhn-valid
CARD_SPOKEN_EN = "four five eight zero one two three four five six seven eight nine zero one five"
CARD_SPOKEN_HE = "ארבע חמש שמונה אפס אחת שתיים שלוש ארבע חמש שש שבע שמונה תשע אפס אחת חמש"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cards: numerals, groups, words, both languages, mixed, grouped tens
        (f"my card is {CARD}.", "my card is [card]."),
        ("card 4580123456789015 thanks", "card [card] thanks"),
        ("the number is 4111-1111-1111-1111", "the number is [card]"),
        (f"my card is {CARD_SPOKEN_EN}, ok", "my card is [card], ok"),
        (f"הכרטיס שלי {CARD_SPOKEN_HE} תודה", "הכרטיס שלי [card] תודה"),
        ("it's 4580 one two three four, 5678 nine oh one five", "it's [card]"),
        (
            "forty five eighty, twelve thirty four, fifty six seventy eight, ninety fifteen",
            "[card]",
        ),
        ("ארבעים וחמש שמונים, שתים עשרה שלושים וארבע, 5678 9015", "[card]"),
        # Israeli ID numbers (valid check digit)
        ("תעודת זהות 123456782", "תעודת זהות [id]"),
        ("my ID is one two three four five six seven eight two", "my ID is [id]"),
        ("ID 1-2-3-4-5-6-7-8-2.", "ID [id]."),
        # phone numbers: Israeli, international, spoken, with the country code said
        ("call me on 050-234-5678", "call me on [phone]"),
        ("הטלפון אפס חמש אפס, שתיים שלוש ארבע, חמש שש שבע שמונה", "הטלפון [phone]"),
        ("landline 02-123-4567 please", "landline [phone] please"),
        ("my number is +972 50 234 5678", "my number is [phone]"),
        ("plus nine seven two five zero two three four five six seven eight", "[phone]"),
        ("US office (201) 555-0123", "US office ([phone]"),
        ("or 1-201-555-0123 from abroad", "or [phone] from abroad"),
        ("972 50 234 5678", "[phone]"),
        ("call 00 44 20 7946 0958 tomorrow", "call [phone] tomorrow"),
        ("My phone is 0502345-5678.", "My phone is [phone]."),  # a misplaced group goes too
        # e-mail, written and spoken
        ("write to dana.cohen@example.co.il now", "write to [email] now"),
        ("it's dana at gmail dot com, thanks", "it's [email], thanks"),
        ("noa dot levi at walla dot co dot il", "[email]"),
        ("it is no at gmail.com.", "it is [email]."),
        ("דנה שטרודל ג׳ימייל נקודה קום", "[email]"),
    ],
)
def test_private_data_is_replaced_with_a_typed_placeholder(text: str, expected: str) -> None:
    assert redacted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I've been with you for 7 years and paid 49.90 a month since 2019.",
        "That's 300 shekels, the 1st of March, 2 lines, 10 GB.",
        "The last four digits are 9015.",
        "4580 1234 5678 9016 is not a card",  # fails the Luhn check
        "ID 123456789",  # wrong check digit
        "Nothing wrong with you at all. Seven years, never had a problem.",
        "Look at the site dot something later.",
        "שילמתי מאה עשרים ותשע שקלים כבר שלוש שנים",
        "one or two things, three times a week",
    ],
)
def test_ordinary_numbers_and_words_are_left_alone(text: str) -> None:
    assert redacted(text) == text


def test_a_partial_line_hides_a_number_still_being_said() -> None:
    assert R.redact("my card is 4580 1234 5", partial=True).text == "my card is [number]"
    assert R.redact("my card is 4580 1234 5").text == "my card is 4580 1234 5"
    assert R.redact("we have 12 offers", partial=True).text == "we have 12 offers"


def test_kinds_and_switch_are_configurable(tmp_path: Path) -> None:
    only_email = Redactor(["email"])
    assert only_email.redact(f"{CARD} or dana@example.com").text == f"{CARD} or [email]"
    base = {"rubrics_dir": ROOT / "rubrics", "data_dir": tmp_path}
    assert redactor_for(Settings(**base, redact=False)) is None
    assert redactor_for(Settings(**base, redact_kinds="card,phone")).kinds == {"card", "phone"}
    with pytest.raises(ValueError, match="unknown kind"):
        Settings(**base, redact_kinds="card,ssn")
    with pytest.raises(ValueError, match="unknown region"):
        Settings(**base, redact_phone_regions="IL,XX")
    assert has_placeholder("my card is [card]") and not has_placeholder("[cards]")


def test_labelled_calls_have_no_false_hits() -> None:
    """The project's labelled calls (both languages, prices, dates, durations) hold no private
    data: redaction finds nothing in them, so their text reaches the rubrics unchanged."""
    for path in all_labelled_calls():
        for t in parse_call(path.read_bytes(), path.name).transcripts():
            assert R.find(t.text) == [], (path.name, t.text)


@pytest.mark.parametrize("name", ["he-dental-software-rant-summary", "en-cloudhost-rant-kind-stop"])
def test_scorecards_are_the_same_with_redaction_on_and_off(resources: Resources, name: str) -> None:
    call = labelled_call(name)
    on = analyze_transcript(resources, call).to_dict()
    settings = resources.settings
    resources.settings = settings.model_copy(update={"redact": False})
    try:
        assert redactor_for(resources.settings) is None
        off = analyze_transcript(resources, call).to_dict()
    finally:
        resources.settings = settings
    assert on == off


def test_a_transcript_with_private_data_is_scored_without_it(resources: Resources) -> None:
    call = parse_call(
        json.dumps(
            {
                "id": "pii-transcript",
                "language": "en",
                "participants": [
                    {"id": "c", "role": "customer", "name": "Noa"},
                    {"id": "r", "role": "rep", "name": "Dana"},
                ],
                "utterances": [
                    {"speaker": "r", "start": 0, "end": 3, "text": "Hello, how can I help?"},
                    {
                        "speaker": "c",
                        "start": 3.5,
                        "end": 9,
                        "text": f"Cancel it. My card is {CARD} and my mail is noa@example.com.",
                    },
                ],
            }
        ),
        "pii.call.json",
    )
    card = analyze_transcript(resources, call).to_dict()
    text = json.dumps(card, ensure_ascii=False)
    assert "[card]" in text and "[email]" in text
    assert "4580" not in text and "noa@example.com" not in text


# --- silencing, without a model ---------------------------------------------------------------


def test_silence_pcm_and_wav_zero_exactly_the_spans(tmp_path: Path) -> None:
    rate, channels = 8000, 2
    pcm = (np.ones((rate * 4, channels)) * 1000).astype("<i2")
    raw = tmp_path / "call.pcm"
    raw.write_bytes(pcm.tobytes())
    silence_pcm(raw, merge([(1.0, 2.0), (1.5, 2.5), (10.0, 11.0)]), rate, channels)
    got = np.frombuffer(raw.read_bytes(), "<i2").reshape(-1, channels)
    assert len(got) == len(pcm)  # spans past the end are cut, not appended
    assert (got[rate : int(2.5 * rate)] == 0).all()
    assert (got[: rate - 1] == 1000).all() and (got[int(2.5 * rate) + 1 :] == 1000).all()

    wav = tmp_path / "call.wav"
    write_wav(wav, (pcm / 32768.0).astype(np.float32), rate)
    assert silence_recording(wav, [(0.5, 1.0)]) == wav
    with wave.open(str(wav)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, channels)
    assert (data[int(0.5 * rate) : rate] == 0).all() and (data[: int(0.5 * rate) - 1] != 0).all()


# --- live and imported calls, real Whisper ------------------------------------------------------

PEOPLE = [Participant("c", "customer", "Noa"), Participant("r", "rep", "Dana")]
TURNS = [
    Turn(1, "Hello, this is Dana from Lumen. How can I help?"),
    Turn(
        0,
        "I want to pay the bill. My card number is four five eight zero, one two three four, "
        "five six seven eight, nine zero one five.",
    ),
    Turn(1, "Thank you. And your email?"),
    Turn(
        0,
        "It is noa at gmail dot com. My phone is zero five zero, two three four, "
        "five six seven eight.",
    ),
]
LONG_NUMBER = re.compile(r"\d(?:[\s-]?\d){8,}")


@pytest.fixture(scope="module")
def pii_call() -> tuple[np.ndarray, list[Any]]:
    return render(TURNS, "en", 2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings = Settings(rubrics_dir=ROOT / "rubrics", data_dir=tmp_path_factory.mktemp("data"))
    with serve(settings) as host:
        yield host, settings


def _wav_of(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getframerate() == SR
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())


def _assert_card_digits_silenced(stored: np.ndarray, original: np.ndarray, spoken: Any) -> None:
    """The card number's words are zero on every channel; the words before it in the same
    utterance, and the rep's greeting, are untouched."""
    turn = spoken[1]
    # "I want to pay the bill. My card number is" takes about 2.6 s; the digits follow.
    digits = slice(int((turn.start + 3.2) * SR), int((turn.end - 1.0) * SR))
    before = slice(int(turn.start * SR), int((turn.start + 1.0) * SR))
    greeting = slice(int(spoken[0].start * SR), int(spoken[0].end * SR))
    assert np.abs(original[digits, 0]).max() > 0.05  # there was speech
    assert (stored[digits] == 0).all()
    assert np.abs(stored[before, 0]).max() > 500  # word timestamps, not the whole utterance
    assert np.abs(stored[greeting, 1]).max() > 500
    zero = (stored == 0).all(axis=1).mean()
    assert zero < 0.75, zero


@pytest.mark.slow
def test_a_live_call_is_redacted_everywhere_and_its_recording_silenced(
    server: Any, pii_call: Any
) -> None:
    host, settings = server
    audio, spoken = pii_call
    result = asyncio.run(
        stream_call(
            f"ws://{host}",
            audio,
            PEOPLE,
            language="en",
            call_id="pii-live",
            rep_id="dana",
            speed=0,
            token=admin_key(settings),
        )
    )
    lines = [e for e in result.events if e["type"] == "transcript"]
    finals = " ".join(e["text"] for e in lines if e["final"])
    assert "[card]" in finals and "[email]" in finals and "[phone]" in finals, finals
    for e in lines:  # partial lines too
        assert not LONG_NUMBER.search(e["text"]) and "@" not in e["text"], e
    card = result.scorecard
    assert "4580" not in json.dumps(card) and "gmail" not in json.dumps(card).lower()
    with httpx.Client(base_url=f"http://{host}", headers=admin_headers(settings)) as http:
        detail = http.get("/v1/calls/pii-live").json()
        stored_text = " ".join(u["text"] for u in detail["utterances"])
        assert "[card]" in stored_text and not LONG_NUMBER.search(stored_text)
        stored = _wav_of(http.get("/v1/calls/pii-live/audio").content)
    _assert_card_digits_silenced(stored, audio, spoken)


@pytest.mark.slow
def test_an_imported_recording_is_redacted_and_silenced(
    server: Any, pii_call: Any, tmp_path: Path
) -> None:
    host, settings = server
    audio, spoken = pii_call
    wav = tmp_path / "pii.wav"
    write_wav(wav, audio, SR)
    with httpx.Client(
        base_url=f"http://{host}", headers=admin_headers(settings), timeout=600
    ) as http:
        r = http.post(
            "/v1/calls/import",
            files={"file": ("pii.wav", wav.read_bytes(), "audio/wav")},
            data={"participant": ["customer:Noa", "rep:Dana"], "call_id": "pii-import"},
        )
        assert r.status_code == 201, r.text
        text = " ".join(u["text"] for u in r.json()["scorecard"]["utterances"])
        assert "[card]" in text and not LONG_NUMBER.search(text), text
        stored = _wav_of(http.get("/v1/calls/pii-import/audio").content)
    _assert_card_digits_silenced(stored, audio, spoken)


# --- retention --------------------------------------------------------------------------------


def _seed(settings: Settings, ages_days: dict[str, float], *, live: str = "") -> dict[str, Path]:
    """Calls started `age` days ago, each with a recording file, an utterance and a comment."""
    db = Database(settings.db_url)
    migrate(db.engine)
    files = {}
    now = datetime.now(UTC)
    with db.session() as s:
        for cid, age in ages_days.items():
            path = settings.audio_dir / f"{cid}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"RIFF")
            files[cid] = path
            repo.create_call(
                s,
                cid,
                language="en",
                participants=PEOPLE,
                rep_id="dana",
                audio_path=str(path),
                started_at=now - timedelta(days=age),
            )
            s.flush()
            s.add(Utterance(call_id=cid, speaker="c", start=0.0, end=1.0, text="hello"))
            s.add(Comment(call_id=cid, start=0.0, text="good opening"))
            s.get(Call, cid).status = "live" if cid == live else "ended"  # type: ignore[union-attr]
    db.close()
    return files


def _ids(settings: Settings) -> set[str]:
    db = Database(settings.db_url)
    with db.session() as s:
        ids = {c for (c,) in s.query(Call.id)}
        orphans = s.query(Utterance).filter(Utterance.call_id.not_in(ids)).count()
        orphans += s.query(Comment).filter(Comment.call_id.not_in(ids)).count()
    db.close()
    assert orphans == 0
    return ids


def test_purge_deletes_old_calls_with_everything_linked_and_their_audio(tmp_path: Path) -> None:
    settings = Settings(rubrics_dir=ROOT / "rubrics", data_dir=tmp_path)
    files = _seed(settings, {"old": 40, "older": 400, "recent": 2, "old-live": 50}, live="old-live")
    db = Database(settings.db_url)
    with db.session() as s:
        dry = purge_rows(s, cutoff_for(30), dry_run=True)
    assert sorted(dry.calls) == ["old", "older"] and _ids(settings) == set(files)
    with db.session() as s:
        purged = purge_rows(s, cutoff_for(30))
    db.close()
    assert remove_files(purged.files) == 2
    assert _ids(settings) == {"recent", "old-live"}  # a live call is never cut
    assert not files["old"].exists() and not files["older"].exists() and files["recent"].exists()


def test_hakshev_purge_on_the_command_line(tmp_path: Path) -> None:
    settings = Settings(rubrics_dir=ROOT / "rubrics", data_dir=tmp_path)
    _seed(settings, {"a": 10, "b": 1})
    env = {"HAKSHEV_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    cli = [sys.executable, "-m", "app.cli", "purge"]
    run = subprocess.run(cli, env=env, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and "HAKSHEV_RETENTION_DAYS" in run.stderr
    run = subprocess.run(
        [*cli, "--days", "5", "--dry-run"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0 and run.stdout.split() == ["a"]
    env["HAKSHEV_RETENTION_DAYS"] = "5"
    run = subprocess.run(cli, env=env, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0 and "deleted 1 call(s)" in run.stderr, run.stderr
    assert _ids(settings) == {"b"}
    bad = subprocess.run([*cli, "--days", "-1"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "days" in bad.stderr


async def test_the_service_purges_periodically(tmp_path: Path) -> None:
    settings = Settings(
        rubrics_dir=ROOT / "rubrics",
        data_dir=tmp_path,
        retention_days=30,
        retention_check_s=0.2,
        demo_admin=False,
    )
    files = _seed(settings, {"old": 31, "new": 29})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        for _ in range(100):
            if await asyncio.to_thread(_ids, settings) == {"new"}:
                break
            await asyncio.sleep(0.1)
    assert _ids(settings) == {"new"}
    assert not files["old"].exists() and files["new"].exists()


# --- properties -------------------------------------------------------------------------------

WORDS = [
    *[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "oh",
        "ten",
        "twelve",
        "twenty",
        "forty",
    ],
    *["hundred", "double", "and", "at", "dot", "com", "gmail", "my", "card", "is", "plus"],
    *[
        "אפס",
        "אחת",
        "שתיים",
        "שלוש",
        "ארבע",
        "חמש",
        "שש",
        "שבע",
        "שמונה",
        "תשע",
        "עשרים",
        "ושלוש",
        "שטרודל",
        "נקודה",
        "קום",
    ],
    "4580",
    "1234",
    "050",
    "-",
    ",",
    ".",
    "@",
    "+972",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=6) | st.integers(0, 10**19).map(str)))
def test_redaction_never_fails_and_leaves_nothing_to_redact(tokens: list[str]) -> None:
    """Any text: redaction returns, and what it returns has nothing left to redact."""
    text = " ".join(tokens)
    once = R.redact(text)
    assert R.find(once.text) == [], (text, once.text)
    assert all(0 <= h.start < h.end <= len(text) for h in once.hits)
