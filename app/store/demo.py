"""Demo calls: labelled transcripts imported at start-up, so a newcomer sees stored calls."""

from __future__ import annotations

import logging
from pathlib import Path

from app.pipeline.analyze import analyze_transcript
from app.pipeline.callfile import CallFileError, load_call
from app.pipeline.resources import Resources
from app.store import repo
from app.store.db import Database

logger = logging.getLogger(__name__)


def import_demo_calls(resources: Resources, db: Database, folder: Path) -> int:
    """Import each *.call.json of `folder` not stored yet; returns how many were imported."""
    imported = 0
    for path in sorted(folder.glob("*.call.json")):
        try:
            call = load_call(path)
        except CallFileError as exc:
            logger.warning("demo call skipped: %s", exc)
            continue
        with db.session() as s:
            if repo.get_call(s, call.id) is not None:
                continue
        card = analyze_transcript(resources, call).to_dict()
        with db.session() as s:
            repo.store_analysis(
                s, call.id, card, call.title, "import", None, None, None, repo.default_rep_id(card)
            )
        imported += 1
    return imported
