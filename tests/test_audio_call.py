"""Whole calls as audio: synthesised with espeak-ng, one channel per speaker, analysed with the
real Whisper base model through the same pipeline a live call uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.audio.io import load_audio
from app.audio.vad import VadOptions
from app.core.events import Participant
from app.engine.engine import Scorecard
from app.pipeline.analyze import analyze_samples, analyze_transcript, call_info_for_audio
from app.pipeline.callfile import CallFile
from app.pipeline.resources import Resources
from tests import scripts_en, scripts_he
from tests.synth import Spoken, render, wer, write_wav

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
PEOPLE = [Participant("c", "customer", "Noa"), Participant("r", "rep", "Dana")]


def _rant_start(spoken: list[Spoken], first_rant_turn: int = 3) -> float:
    return spoken[first_rant_turn].start


def _takeover_times(spoken: list[Spoken]) -> list[float]:
    """When take-overs are known: a company turn starts while the customer talks, the customer
    stops, the company outlasts a backchannel (1 s), and the VAD's silence wait has passed."""
    out = []
    for prev, turn in zip(spoken, spoken[1:], strict=False):
        overlaps = turn.start < prev.end and turn.end - turn.start > 1
        if turn.speaker == 1 and prev.speaker == 0 and overlaps:
            out.append(max(prev.end, turn.start + 1.0) + VadOptions().hangover_s)
    return out


def _as_call_file(spoken: list[Spoken], language: str) -> CallFile:
    """The script as the transcript driver takes it (true times, true words)."""
    return CallFile.model_validate(
        {
            "id": "script",
            "language": language,
            "participants": [{"id": p.id, "role": p.role, "name": p.name} for p in PEOPLE],
            "utterances": [
                {"speaker": PEOPLE[s.speaker].id, "start": s.start, "end": s.end, "text": s.text}
                for s in spoken
            ],
        }
    )


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Spoken]]:
    audio, spoken = render(scripts_en.TURNS, "en", 2)
    path = tmp_path_factory.mktemp("en") / "call.wav"
    write_wav(path, audio)
    return path, spoken


@pytest.fixture(scope="module")
def english_card(resources: Resources, english: tuple[Path, list[Spoken]]) -> Scorecard:
    path, _ = english
    audio = load_audio(path)
    return analyze_samples(resources, call_info_for_audio("en-audio", "en", PEOPLE, 2), audio)


def test_transcript_is_close_to_the_script(
    english: tuple[Path, list[Spoken]], english_card: Scorecard
) -> None:
    _, spoken = english
    for who in ("c", "r"):
        ref = " ".join(s.text for s in spoken if PEOPLE[s.speaker].id == who)
        hyp = " ".join(u.text for u in english_card.utterances if u.speaker == who)
        error = wer(ref, hyp)
        assert error < 0.2, (who, error, hyp)


def test_verdicts_match_the_labels(english_card: Scorecard) -> None:
    got = {k: english_card.verdicts[k].verdict for k in scripts_en.LABELS}
    assert got == scripts_en.LABELS
    lf = english_card.verdicts["listen_first"]
    assert any("not listening" in e.text for e in lf.evidence)
    assert english_card.metrics.take_overs == 2


def test_rant_and_take_over_nudges_at_the_right_call_time(
    english: tuple[Path, list[Spoken]], english_card: Scorecard
) -> None:
    _, spoken = english
    rant = [n for n in english_card.nudges if n.rubric == "kind_rant_interrupt"]
    assert [n.kind for n in rant] == ["rant"]
    assert rant[0].at == pytest.approx(_rant_start(spoken) + 120, abs=1.0)
    takeovers = [n.at for n in english_card.nudges if n.kind == "take_over"]
    expected = _takeover_times(spoken)
    assert len(expected) == 2 and len(takeovers) == 1  # the second falls in the cooldown
    assert takeovers[0] == pytest.approx(expected[0], abs=0.6)
    assert any(n.kind == "not_heard" for n in english_card.nudges)


def test_audio_and_transcript_drivers_agree(
    resources: Resources, english: tuple[Path, list[Spoken]], english_card: Scorecard
) -> None:
    _, spoken = english
    replayed = analyze_transcript(resources, _as_call_file(spoken, "en"))
    for rubric in scripts_en.LABELS:
        assert replayed.verdicts[rubric].verdict == english_card.verdicts[rubric].verdict, rubric
    by_kind = lambda card: {(n.rubric, n.kind) for n in card.nudges}  # noqa: E731
    assert by_kind(replayed) == by_kind(english_card)
    rant = lambda card: next(n.at for n in card.nudges if n.kind == "rant")  # noqa: E731
    assert rant(replayed) == pytest.approx(rant(english_card), abs=1.0)


def test_cli_on_the_recording(english: tuple[Path, list[Spoken]], english_card: Scorecard) -> None:
    path, _ = english
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "analyze",
            str(path),
            "--format",
            "json",
            "--participant",
            "customer:Noa",
            "--participant",
            "rep:Dana",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    card = json.loads(proc.stdout)
    assert card["language"] == "en"  # detected: no --language given
    assert {k: card["verdicts"][k]["verdict"] for k in scripts_en.LABELS} == scripts_en.LABELS
    assert "analysing" in proc.stderr  # the progress bar goes to stderr


def test_mono_mix_is_transcribed_and_speaker_rubrics_say_na(
    resources: Resources, english: tuple[Path, list[Spoken]]
) -> None:
    path, _ = english
    mono = load_audio(path).sum(axis=1, keepdims=True)[: 16000 * 60]
    card = analyze_samples(resources, call_info_for_audio("mono", "en", [], 1), mono)
    assert card.utterances and "internet" in " ".join(u.text for u in card.utterances).lower()
    for rubric in ("listen_first", "no_reselling", "cs_leads", "kind_rant_interrupt"):
        verdict = card.verdicts[rubric]
        assert verdict.verdict == "na" and "channel" in verdict.reason, (rubric, verdict)


def test_hebrew_call_timing_rubrics_from_voice_activity(
    resources: Resources, tmp_path: Path
) -> None:
    audio, spoken = render(scripts_he.TURNS, "he", 2)
    card = analyze_samples(resources, call_info_for_audio("he-audio", "he", PEOPLE, 2), audio)
    rant = [n for n in card.nudges if n.kind == "rant"]
    assert len(rant) == 1 and rant[0].at == pytest.approx(_rant_start(spoken) + 120, abs=1.0)
    assert rant[0].text == "היכנס/י בעדינות: סכם/י מה ששמעת, ואז הכוון/י"
    takeovers = [n for n in card.nudges if n.kind == "take_over"]
    assert takeovers and takeovers[0].at == pytest.approx(_takeover_times(spoken)[0], abs=0.6)
    assert card.metrics.take_overs == 2
    assert card.verdicts["listen_first"].verdict == "fail"
    assert card.utterances and all(u.text for u in card.utterances)
    assert np.isclose(card.duration, len(audio) / 16000)
