"""Streaming voice activity and turn events on real (espeak-ng) speech."""

from __future__ import annotations

import numpy as np
import pytest

from app.audio.segmenter import TrackSegmenter
from app.audio.vad import SileroStream
from app.core.events import SpeechEnded, SpeechStarted, UtteranceAudio
from tests.synth import SR, Turn, render, speak


def _run(seg: TrackSegmenter, audio: np.ndarray, chunk: int) -> list:
    events = []
    for i in range(0, len(audio), chunk):
        events += list(seg.process(audio[i : i + chunk]))
    events += list(seg.flush())
    return events


def test_silero_stream_matches_whole_file_probabilities() -> None:
    x = np.concatenate([np.zeros(SR // 2, np.float32), speak("Hello, this is a test.", "en", 0)])
    whole = SileroStream().process(x)
    stream = SileroStream()
    parts = np.concatenate([stream.process(x[i : i + 777]) for i in range(0, len(x), 777)])
    assert len(parts) == len(whole) == len(x) // 512
    np.testing.assert_allclose(parts, whole, atol=1e-4)


@pytest.mark.parametrize("chunk", [160, 8000, 16000])
def test_turn_times_follow_the_speech_whatever_the_chunk_size(chunk: int) -> None:
    audio, spoken = render(
        [
            Turn(0, "I would like to cancel my subscription, please."),
            Turn(0, "It has been far too expensive lately.", gap=2.0),
        ],
        "en",
        1,
    )
    events = _run(TrackSegmenter("c", partial_interval_s=None), audio[:, 0], chunk)
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    started = [e for e in events if isinstance(e, SpeechStarted)]
    assert len(started) == len(ended) == 2
    for seg, truth in zip(ended, spoken, strict=True):
        assert abs(seg.start - truth.start) < 0.25
        assert abs(seg.end - truth.end) < 0.3
    finals = [e for e in events if isinstance(e, UtteranceAudio) and e.final]
    assert [f.utterance_id for f in finals] == [0, 1]
    assert abs(len(finals[0].samples) / SR - (finals[0].end - finals[0].start)) < 0.01


def test_partials_every_interval_then_a_final() -> None:
    text = (
        "So the thing is that I have been a customer for many years and the service has "
        "been getting worse every single month and nobody seems to care about it at all."
    )
    audio, _ = render([Turn(0, text)], "en", 1)
    events = _run(TrackSegmenter("c", partial_interval_s=2.0), audio[:, 0], 1600)
    utts = [e for e in events if isinstance(e, UtteranceAudio)]
    partials = [u for u in utts if not u.final]
    assert len(partials) >= 2
    steps = [b.end - a.end for a, b in zip(partials, partials[1:], strict=False)]
    assert all(step == pytest.approx(2.0, abs=0.05) for step in steps)
    assert utts[-1].final and utts[-1].end > partials[-1].end


def test_silence_and_low_noise_make_no_turns() -> None:
    rng = np.random.default_rng(7)
    audio = np.concatenate([np.zeros(SR * 3), rng.normal(0, 0.003, SR * 5)]).astype(np.float32)
    events = _run(TrackSegmenter("c"), audio, 4000)
    assert events == []


def test_long_turn_is_split_for_whisper_but_stays_one_turn() -> None:
    sentence = "We have been waiting for the engineer for three weeks and nobody came to fix it. "
    audio, spoken = render([Turn(0, sentence * 8)], "en", 1)
    assert spoken[0].end - spoken[0].start > 30
    events = _run(TrackSegmenter("c", partial_interval_s=None), audio[:, 0], 8000)
    finals = [e for e in events if isinstance(e, UtteranceAudio) and e.final]
    assert len(finals) >= 2 and all(f.end - f.start <= 28.0 + 1e-6 for f in finals)
    assert len([e for e in events if isinstance(e, SpeechEnded)]) == 1


def test_a_long_utterance_goes_ahead_in_pieces_cut_at_its_pauses() -> None:
    turns = [
        Turn(0, "I have called you four times this month about the same broken router."),
        Turn(0, "Every single evening the connection drops for at least an hour.", gap=0.3),
        Turn(0, "And still nobody came.", gap=0.3),
    ]
    audio, spoken = render(turns, "en", 1)
    events = _run(TrackSegmenter("c", partial_interval_s=None), audio[:, 0], 1600)
    ahead = [e for e in events if isinstance(e, UtteranceAudio) and e.ahead]
    finals = [e for e in events if isinstance(e, UtteranceAudio) and e.final]
    assert len(finals) == 1 and len([e for e in events if isinstance(e, SpeechEnded)]) == 1
    final = finals[0]
    assert len(ahead) >= 1 and len(final.pieces) == len(ahead) + 1
    # The pieces sent ahead are the final's leading pieces, sample for sample, each cut in a
    # pause between sentences; the last piece runs to the end of the utterance.
    pauses = [(a.end, b.start) for a, b in zip(spoken, spoken[1:], strict=False)]
    for (lo, hi), piece in zip(final.pieces, ahead, strict=False):
        np.testing.assert_array_equal(final.samples[lo:hi], piece.samples)
        assert piece.utterance_start == final.start and not piece.final
        assert any(p0 - 0.1 <= piece.end - 0.15 <= p1 + 0.1 for p0, p1 in pauses)
    assert final.pieces[0][0] == 0 and final.pieces[-1][1] == len(final.samples)
    starts = [lo for lo, _ in final.pieces]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
