"""What every call shares: validated rubric files and the loaded Whisper models."""

from __future__ import annotations

import logging
import threading

from app.asr.models import resolve_model
from app.asr.service import TranscriptionService
from app.asr.whisper import AsrOptions, WhisperTranscriber
from app.core.config import Settings
from app.engine.classify import ClassificationFile, Classifier, load_classifications
from app.engine.engine import CallEngine
from app.engine.rubric_set import RubricSet
from app.engine.state import CallInfo
from app.nlp.embed import Embedder
from app.nlp.signals import SignalBank, load_contrast

logger = logging.getLogger(__name__)


class Resources:
    """Loaded once per process. Rubric files are validated here, so a bad one stops start-up."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rubrics = RubricSet.load(settings.rubrics_dir)
        self.classifications: ClassificationFile = load_classifications(
            settings.rubrics_dir / "classifications.yaml"
        )
        self._classifiers: dict[str, Classifier] = {}
        self._models: dict[str, WhisperTranscriber] = {}
        self._lock = threading.Lock()
        self._asr: TranscriptionService | None = None
        self._signals: SignalBank | None = None

    def preload(self) -> None:
        """Load what the first call would wait for: the Whisper model of each language and the
        rubric examples' embeddings."""
        try:
            for language in ("en", "he"):
                self.transcriber(language)
            _ = self.signals
        except Exception:  # a bad model setting shows on the first call, with its reason
            logger.exception("preloading the models failed")

    def reload_rubrics(self) -> None:
        """Read the rubric folder again (after an admin changed a file). Calls in progress keep
        the rubrics they started with; calls that start after this use the new ones."""
        rubrics = RubricSet.load(self.settings.rubrics_dir)
        classifications = load_classifications(self.settings.rubrics_dir / "classifications.yaml")
        with self._lock:
            self.rubrics, self.classifications = rubrics, classifications
            self._classifiers = {}
            self._signals = None  # re-embedded on next use (the disk cache keeps it quick)

    @property
    def signals(self) -> SignalBank:
        """The rubrics' examples, embedded (once per process; cached on disk across runs)."""
        with self._lock:
            if self._signals is None:
                contrast = load_contrast(self.settings.rubrics_dir / "contrast.yaml")
                embedder = Embedder(self.settings.cache_dir, backend=self.settings.embedder)
                self._signals = SignalBank(
                    embedder, self.rubrics.specs, contrast, self.classifications.example_sets()
                )
            return self._signals

    @property
    def asr(self) -> TranscriptionService:
        """The process's transcription workers, started on first use."""
        with self._lock:
            if self._asr is None:
                self._asr = TranscriptionService(self.settings.asr_workers)
            return self._asr

    @property
    def asr_if_started(self) -> TranscriptionService | None:
        return self._asr

    def close(self) -> None:
        if self._asr is not None:
            self._asr.close()
            self._asr = None

    def engine(self, info: CallInfo) -> CallEngine:
        bank = self.signals
        classifier = self._classifiers.get(info.language)
        if classifier is None:
            classifier = self._classifiers[info.language] = Classifier(
                self.classifications, info.language, bank
            )
        return CallEngine(info, self.rubrics, classifier, bank)

    def transcriber(self, language: str) -> WhisperTranscriber:
        """The Whisper model for `language`, loaded on first use and shared after that."""
        return self._load(self.settings.model_for(language))

    def language_detector(self) -> WhisperTranscriber:
        """The default model, used to tell Hebrew from English when a call doesn't say."""
        return self._load(self.settings.whisper_model)

    def _load(self, name: str) -> WhisperTranscriber:
        with self._lock:
            model = self._models.get(name)
            if model is None:
                path = resolve_model(name, self.settings.cache_dir)
                logger.info("loading Whisper %s from %s", name, path)
                model = WhisperTranscriber(
                    path,
                    compute_type=self.settings.whisper_compute_type,
                    cpu_threads=self.settings.whisper_cpu_threads,
                    workers=self.settings.asr_workers,
                    options=AsrOptions(beam_size=self.settings.whisper_beam_size),
                )
                self._models[name] = model
        return model
