"""Speak test calls with espeak-ng: real audio, made at test time, one channel per speaker.

A script is a list of turns; each turn starts `gap` seconds after the previous turn ended (a
negative gap talks over it). The result is 16 kHz float32 audio (frames, speakers) and the
utterances with the times they really have in the audio, to compare with what the pipeline finds.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

SR = 16000
VOICES = {"en": "en-us", "he": "he"}
VARIANTS = [("m3", 40), ("f2", 62), ("m1", 28), ("f4", 78)]


@dataclass(frozen=True)
class Turn:
    speaker: int
    text: str
    gap: float = 0.6


@dataclass(frozen=True)
class Spoken:
    speaker: int
    start: float
    end: float
    text: str


def speak(text: str, language: str, speaker: int, wpm: int = 165) -> np.ndarray:
    """One utterance as 16 kHz float32, leading and trailing silence trimmed."""
    variant, pitch = VARIANTS[speaker % len(VARIANTS)]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "u.wav"
        subprocess.run(
            [
                "espeak-ng",
                "-v",
                f"{VOICES.get(language, language)}+{variant}",
                "-p",
                str(pitch),
                "-s",
                str(wpm),
                "-w",
                str(out),
                text,
            ],
            check=True,
            capture_output=True,
        )
        with wave.open(str(out)) as w:
            rate = w.getframerate()
            x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    x = soxr.resample(x, rate, SR).astype(np.float32) * 0.8
    loud = np.flatnonzero(np.abs(x) > 0.01)
    return x[loud[0] : loud[-1] + 1] if loud.size else x[:0]


def render(
    turns: list[Turn], language: str, speakers: int, lead_in: float = 0.5, tail: float = 1.5
) -> tuple[np.ndarray, list[Spoken]]:
    clips = [speak(t.text, language, t.speaker) for t in turns]
    spoken: list[Spoken] = []
    t_end = lead_in
    for turn, clip in zip(turns, clips, strict=True):
        start = max(0.0, t_end + turn.gap) if spoken else lead_in
        spoken.append(Spoken(turn.speaker, start, start + len(clip) / SR, turn.text))
        t_end = max(t_end, start + len(clip) / SR)
    total = int((max(s.end for s in spoken) + tail) * SR)
    audio = np.zeros((total, speakers), dtype=np.float32)
    for s, clip in zip(spoken, clips, strict=True):
        i = int(round(s.start * SR))
        audio[i : i + len(clip), s.speaker] += clip
    return audio, spoken


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(audio.shape[1])
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2").tobytes())


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate, ignoring case and punctuation (jiwer)."""
    import jiwer

    norm = jiwer.Compose(
        [
            jiwer.ToLowerCase(),
            jiwer.RemovePunctuation(),
            jiwer.RemoveMultipleSpaces(),
            jiwer.Strip(),
            jiwer.ReduceToListOfListOfWords(),
        ]
    )
    return float(
        jiwer.wer(reference, hypothesis, reference_transform=norm, hypothesis_transform=norm)
    )
