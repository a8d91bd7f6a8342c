"""The rubric set: every rubric file loaded and validated once, detectors made per call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.engine.state import CallState
from app.nlp.signals import SignalBank
from app.rubrics.base import Detector, DetectorSettings
from app.rubrics.config import RUBRIC_IDS, RubricFile, RubricFileError, load_rubric_file
from app.rubrics.content import (
    FindRealReason,
    LeaveDoorOpen,
    NoBadmouthing,
    NoDefensiveness,
    OwnTheFollowUp,
    SatisfactionCheck,
    SayWeWantYou,
)
from app.rubrics.cs_leads import CsLeads
from app.rubrics.kind_rant_interrupt import KindRantInterrupt
from app.rubrics.listen_first import ListenFirst
from app.rubrics.no_reselling import NoReselling
from app.rubrics.offer_limit import OfferLimit

DETECTORS: dict[str, type[Detector]] = {
    cls.id: cls
    for cls in (
        ListenFirst,
        NoReselling,
        CsLeads,
        KindRantInterrupt,
        NoDefensiveness,
        OfferLimit,
        FindRealReason,
        SayWeWantYou,
        OwnTheFollowUp,
        NoBadmouthing,
        SatisfactionCheck,
        LeaveDoorOpen,
    )
}


@dataclass(frozen=True)
class RubricSet:
    specs: dict[str, RubricFile]
    settings: dict[str, DetectorSettings]

    @classmethod
    def load(cls, directory: Path) -> RubricSet:
        """Load `<id>.yaml` for every rubric id; refuse a missing or invalid file."""
        if not directory.is_dir():
            raise RubricFileError(directory, "(folder)", "rubrics folder does not exist")
        specs: dict[str, RubricFile] = {}
        settings: dict[str, DetectorSettings] = {}
        for rubric_id in RUBRIC_IDS:
            path = directory / f"{rubric_id}.yaml"
            if not path.exists():
                raise RubricFileError(path, "(file)", "missing: every rubric needs its file")
            spec = load_rubric_file(path)
            specs[rubric_id] = spec
            settings[rubric_id] = DETECTORS[rubric_id].check_file(path, spec)
        return cls(specs, settings)

    def detectors(self, state: CallState, bank: SignalBank | None = None) -> dict[str, Detector]:
        made: dict[str, Detector] = {}
        for rubric_id in RUBRIC_IDS:
            cls = DETECTORS[rubric_id]
            made[rubric_id] = cls(self.specs[rubric_id], self.settings[rubric_id], state, bank)
        return made
