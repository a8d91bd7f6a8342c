"""Speak test calls with espeak-ng (app/demo/speak.py): real audio, made at test time, one
channel per speaker.

A script is a list of turns; each turn starts `gap` seconds after the previous turn ended (a
negative gap talks over it). The result is 16 kHz float32 audio (frames, speakers) and the
utterances with the times they really have in the audio, to compare with what the pipeline finds.
"""

from __future__ import annotations

# One implementation of the espeak-ng rendering, shared with the "simulate a call" feature.
from app.demo.speak import SR, VARIANTS, VOICES, Spoken, Turn, render, speak, write_wav

__all__ = ["SR", "VARIANTS", "VOICES", "Spoken", "Turn", "render", "speak", "write_wav", "wer"]


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
