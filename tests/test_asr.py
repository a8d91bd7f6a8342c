"""The real Whisper base model on real synthesised speech; and on silence and noise."""

from __future__ import annotations

import numpy as np
import pytest

from app.pipeline.resources import Resources
from tests.synth import SR, speak, wer

pytestmark = pytest.mark.slow


def _wer(reference: str, hypothesis: str) -> float:
    return wer(reference, hypothesis)


def test_english_utterance_is_transcribed(resources: Resources) -> None:
    text = "I have been a customer for six years and nobody answered my emails."
    result = resources.transcriber("en").transcribe(speak(text, "en", 1), "en")
    assert _wer(text, result.text) < 0.25, result.text


def test_silence_and_noise_give_no_text(resources: Resources) -> None:
    asr = resources.transcriber("en")
    rng = np.random.default_rng(3)
    assert asr.transcribe(np.zeros(SR * 2, np.float32), "en").text == ""
    noise = rng.normal(0, 0.02, SR * 3).astype(np.float32)
    assert asr.transcribe(noise, "en").text == ""


def test_language_detection_is_limited_to_hebrew_and_english(resources: Resources) -> None:
    detector = resources.language_detector()
    english = speak("Thank you for calling, how can I help you today?", "en", 0)
    language, confidence = detector.detect_language(english)
    assert language == "en" and confidence > 0.5
    # French speech: unlimited detection would say "fr"; a call is only ever Hebrew or English.
    # (espeak-ng's Hebrew is too unnatural for Whisper base to tell reliably, so not asserted.)
    french = speak(
        "Bonjour, je voudrais annuler mon abonnement parce que c'est trop cher.", "fr", 0
    )
    probs = dict(
        detector._model.model.detect_language(detector._model.encode(detector._features(french)))[0]
    )
    assert max(probs, key=probs.get) == "<|fr|>"  # Whisper itself hears French …
    assert detector.detect_language(french)[0] in ("he", "en")  # … the call is he or en


def test_unsupported_language_is_refused(resources: Resources) -> None:
    with pytest.raises(ValueError, match="language"):
        resources.transcriber("en").transcribe(np.zeros(SR, np.float32), "fr")
