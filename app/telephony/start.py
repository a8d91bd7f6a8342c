"""The live call a telephony stream becomes: the same `start` the native audio socket takes."""

from __future__ import annotations

from app.live.protocol import StartMessage
from app.telephony.codecs import PIPELINE_RATE


def language_of(value: str | None, default: str = "en") -> str:
    """'en', 'en-US', 'he', 'he-IL', 'iw-IL' → 'en' / 'he'; any other language is refused."""
    if not value:
        return default
    base = value.strip().lower().replace("_", "-").split("-")[0]
    base = {"iw": "he"}.get(base, base)
    if base not in ("en", "he"):
        raise ValueError(f"language {value[:20]!r} is not supported (en or he)")
    return base


def start_message(
    language: str,
    *,
    rep_id: str | None = None,
    customer_name: str = "",
    rep_name: str = "",
    title: str = "",
) -> StartMessage:
    """Two channels at 16 kHz: the customer first, then the rep (the pipeline's channel order)."""
    return StartMessage.model_validate(
        {
            "type": "start",
            "language": language,
            "sample_rate": PIPELINE_RATE,
            "encoding": "pcm_s16le",
            "participants": [
                {"id": "customer", "role": "customer", "name": customer_name[:200]},
                {"id": "rep", "role": "rep", "name": rep_name[:200]},
            ],
            "rep_id": rep_id or None,
            "title": title[:500],
        }
    )
