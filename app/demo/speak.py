"""Speak calls with espeak-ng: real audio, one channel per speaker.

One implementation for the tests (which speak scripted calls and compare what the pipeline
finds with what was said) and for the "simulate a call" feature (which speaks a labelled
transcript, each utterance at the time the transcript gives it).

A script is a list of turns; each turn starts `gap` seconds after the previous turn ended (a
negative gap talks over it). The result is 16 kHz float32 audio (frames, speakers) and the
utterances with the times they really have in the audio.
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
WPM = 165


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


def speak(text: str, language: str, speaker: int, wpm: int = WPM) -> np.ndarray:
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
                "--",
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


def fit(text: str, language: str, speaker: int, seconds: float) -> np.ndarray:
    """`text` spoken to last about `seconds`: the speaking rate is chosen to fit (within
    espeak-ng's comfortable range, 110-320 words a minute), and anything still longer is cut
    at the slot's end with a 20 ms fade."""
    clip = speak(text, language, speaker)
    if seconds > 0 and len(clip):
        natural = len(clip) / SR
        wpm = int(min(320, max(110, WPM * natural / seconds)))
        if abs(wpm - WPM) > 8:
            clip = speak(text, language, speaker, wpm)
        limit = int(seconds * SR)
        if len(clip) > limit > 0:
            fade = min(limit, SR // 50)
            clip = clip[:limit].copy()
            clip[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return clip


def render_timed(
    utterances: list[tuple[int, float, float, str]], language: str, speakers: int, tail: float = 1.0
) -> np.ndarray:
    """Utterances `(speaker, start, end, text)` each spoken at its own time: a labelled
    transcript becomes a recording with one channel per speaker and the transcript's timing."""
    if not utterances:
        raise ValueError("nothing to speak")
    clips = [
        (sp, start, fit(text, language, sp, end - start)) for sp, start, end, text in utterances
    ]
    total = int((max(end for _, _, end, _ in utterances) + tail) * SR)
    audio = np.zeros((total, speakers), dtype=np.float32)
    for sp, start, clip in clips:
        i = int(round(start * SR))
        n = min(len(clip), total - i)
        audio[i : i + n, sp] += clip[:n]
    return np.clip(audio, -1.0, 1.0)


def write_wav(path: Path, audio: np.ndarray, rate: int = SR) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(audio.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2").tobytes())


def read_wav(path: Path) -> np.ndarray:
    """A 16-bit WAV as float32 (frames, channels)."""
    with wave.open(str(path)) as w:
        channels = w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.reshape(-1, channels).astype(np.float32) / 32768
