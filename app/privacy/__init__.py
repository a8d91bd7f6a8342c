"""Private data: redaction of transcripts, silencing of recordings, retention of calls."""

from __future__ import annotations

from functools import lru_cache

from app.core.config import Settings
from app.privacy.redact import KINDS, Hit, Redacted, Redactor

__all__ = ["KINDS", "Hit", "Redacted", "Redactor", "redactor_for"]


def redactor_for(settings: Settings) -> Redactor | None:
    """The redactor the settings ask for (`HAKSHEV_REDACT`, `_KINDS`, `_PHONE_REGIONS`), or None
    when redaction is off."""
    if not settings.redact or not settings.redact_kinds:
        return None
    return _redactor(settings.redact_kinds, settings.redact_phone_regions)


@lru_cache(maxsize=16)
def _redactor(kinds: str, regions: str) -> Redactor:
    return Redactor(kinds.split(","), [r for r in regions.split(",") if r])
