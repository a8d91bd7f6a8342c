"""`hakshev analyze` as a user runs it: a subprocess in the project folder. No case here loads a
Whisper model (the audio cases fail before it); all of them run side by side once per module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.config import ROOT
from app.rubrics.config import RUBRIC_IDS
from tests.conftest import CALLS_DIR

CALL = CALLS_DIR / "he-dental-software-rant-summary.call.json"
EN_CALL = CALLS_DIR / "en-alarm-long-vent-support-fixes.call.json"

REQUIRED_KEYS = {
    "call_id",
    "language",
    "score",
    "verdicts",
    "outcome",
    "churn_reason",
    "churn_stage",
    "metrics",
    "nudges",
    "utterances",
}
ALLOWED_EXTRA = {"duration", "participants", "findings"}


@dataclass
class Run:
    argv: list[str]
    rc: int
    stdout: str
    stderr: str


def _write_inputs(folder: Path) -> dict[str, list[str]]:
    """Every case: its arguments after `hakshev analyze`."""
    raw = json.loads(EN_CALL.read_text(encoding="utf-8"))

    (folder / "broken.call.json").write_text('{"id": "x", "language": "en", ', encoding="utf-8")

    bad_role = json.loads(json.dumps(raw))
    bad_role["participants"][1]["role"] = "manager"
    (folder / "bad-role.call.json").write_text(json.dumps(bad_role), encoding="utf-8")

    ghost = json.loads(json.dumps(raw))
    ghost["utterances"][2]["speaker"] = "ghost"
    (folder / "ghost.call.json").write_text(json.dumps(ghost), encoding="utf-8")

    (folder / "x.wav").write_bytes(os.urandom(1024))

    with wave.open(str(folder / "silence.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 2 * 16000)  # one second of stereo silence

    (folder / "calls").mkdir()
    return {
        "json": [str(EN_CALL), "--format", "json"],
        "json_he_override": [str(EN_CALL), "--format", "json", "--language", "he"],
        "json_hebrew": [str(CALL.relative_to(ROOT)), "--format", "json"],
        "text": [str(CALL), "--format", "text"],
        "missing": [str(folder / "nope.call.json"), "--format", "json"],
        "folder": [str(folder / "calls")],
        "invalid_json": [str(folder / "broken.call.json")],
        "bad_role": [str(folder / "bad-role.call.json")],
        "ghost": [str(folder / "ghost.call.json")],
        "garbage_audio": [str(folder / "x.wav"), "--quiet"],
        "channel_mismatch": [
            str(folder / "silence.wav"),
            "--quiet",
            "--language",
            "en",
            "--participant",
            "customer",
            "--participant",
            "cs",
            "--participant",
            "executive",
        ],
        "bad_participant": [str(folder / "silence.wav"), "--participant", "boss"],
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    folder = tmp_path_factory.mktemp("cli")
    cases = _write_inputs(folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAKSHEV_")}
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "app.cli", "analyze", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for name, args in cases.items()
    }
    out = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=120)
        out[name] = Run(cases[name], proc.returncode, stdout, stderr)
    return out


def card_of(run: Run) -> dict:
    assert run.rc == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1, "one JSON object on one line"
    card = json.loads(lines[0])
    assert isinstance(card, dict)
    return card


def one_line_error(run: Run, *words: str) -> str:
    assert run.rc == 2, (run.rc, run.stdout, run.stderr)
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    line = lines[0]
    assert line.startswith("hakshev: error: ")
    assert "Traceback" not in run.stderr
    for word in words:
        assert word in line, line
    return line


# --- scorecards -----------------------------------------------------------------------------


def test_json_scorecard(runs: dict[str, Run]) -> None:
    card = card_of(runs["json"])
    assert REQUIRED_KEYS <= set(card) <= REQUIRED_KEYS | ALLOWED_EXTRA
    assert card["call_id"] == "en-alarm-long-vent-support-fixes"
    assert card["language"] == "en"
    assert list(card["verdicts"]) == list(RUBRIC_IDS)
    for v in card["verdicts"].values():
        assert set(v) == {"verdict", "reason", "evidence", "confidence", "judged_by"}
        assert v["verdict"] in {"pass", "fail", "na"}
        assert 0.0 <= v["confidence"] <= 1.0
        for e in v["evidence"]:
            assert set(e) == {"speaker", "role", "start", "end", "text"}
    assert card["verdicts"]["listen_first"]["verdict"] == "fail"
    assert card["verdicts"]["cs_leads"]["verdict"] == "fail"
    assert card["verdicts"]["kind_rant_interrupt"]["verdict"] == "fail"
    assert isinstance(card["score"], int) and 0 <= card["score"] <= 100
    assert card["outcome"] in {"saved", "churned", "undecided"}
    assert card["nudges"]
    for n in card["nudges"]:
        assert {"rubric", "at", "to", "text"} <= set(n)
        assert n["rubric"] in RUBRIC_IDS
    kinds = [(n["rubric"], n["kind"]) for n in card["nudges"]]
    assert ("kind_rant_interrupt", "rant_reminder") in kinds
    assert card["utterances"][0] == {
        "speaker": "a1",
        "role": "cs",
        "start": 0.9,
        "end": 9.01,
        "text": "Hi Marco, it's Jordan Bell from Keystone Alarm. "
        "I've got Wes from our technical team on the line too.",
    }
    assert card["metrics"]["take_overs"] == 0
    assert "talk_share" in card["metrics"]


def test_json_hebrew_call_keeps_hebrew(runs: dict[str, Run]) -> None:
    card = card_of(runs["json_hebrew"])
    assert card["language"] == "he"
    assert card["call_id"] == "he-dental-software-rant-summary"
    assert card["verdicts"]["kind_rant_interrupt"]["verdict"] == "pass"
    rant = [n for n in card["nudges"] if n["rubric"] == "kind_rant_interrupt"]
    assert rant[0]["text"] == "היכנס/י בעדינות: סכם/י מה ששמעת, ואז הכוון/י"
    assert rant[0]["at"] == pytest.approx(145.8, abs=3.0)


def test_language_override(runs: dict[str, Run]) -> None:
    card = card_of(runs["json_he_override"])
    assert card["language"] == "he"
    assert card["call_id"] == "en-alarm-long-vent-support-fixes"


def test_text_scorecard(runs: dict[str, Run]) -> None:
    run = runs["text"]
    assert run.rc == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("call he-dental-software-rant-summary (he, ")
    assert "score " in lines[0]
    assert lines[1].startswith("outcome ")
    for rubric in RUBRIC_IDS:
        assert any(rubric in line for line in lines), rubric
    assert any(line.split()[:2] == ["pass", "kind_rant_interrupt"] for line in lines)
    assert "nudges:" in lines
    assert any(line.startswith("talk share ") for line in lines)


# --- bad input: non-zero, one line on stderr --------------------------------------------------


def test_missing_file(runs: dict[str, Run]) -> None:
    one_line_error(runs["missing"], "nope.call.json", "no such file")


def test_folder(runs: dict[str, Run]) -> None:
    one_line_error(runs["folder"], "calls", "is a folder")


def test_invalid_json(runs: dict[str, Run]) -> None:
    one_line_error(runs["invalid_json"], "broken.call.json", "not valid JSON")


def test_unknown_role(runs: dict[str, Run]) -> None:
    one_line_error(runs["bad_role"], "bad-role.call.json", "participants.1.role")


def test_speaker_not_a_participant(runs: dict[str, Run]) -> None:
    one_line_error(runs["ghost"], "ghost.call.json", "'ghost' is not a participant")


def test_unreadable_audio(runs: dict[str, Run]) -> None:
    one_line_error(runs["garbage_audio"], "x.wav", "not a readable audio file")


def test_channel_participant_mismatch(runs: dict[str, Run]) -> None:
    one_line_error(runs["channel_mismatch"], "2 channels", "3 participant(s)")


def test_invalid_participant_role(runs: dict[str, Run]) -> None:
    run = runs["bad_participant"]
    assert run.rc == 2
    assert run.stdout == ""
    # argparse prints its usage first; the reason itself is one line
    errors = [line for line in run.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, run.stderr
    assert errors[0] == run.stderr.strip().splitlines()[-1]
    assert "--participant" in errors[0]
    assert "role must be one of customer, cs, executive, support, rep (got 'boss')" in errors[0]
