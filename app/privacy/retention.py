"""Retention: calls older than `HAKSHEV_RETENTION_DAYS` are deleted with their recordings.

Everything linked to a call goes with it: every table with a foreign key to `calls.id`
(participants, utterances, nudges, findings, comments, judge decisions, and any table added
later) is cleared explicitly, so it doesn't depend on the database enforcing ON DELETE CASCADE.
Only ended calls are deleted (a live call is never cut from under its stream); a call's age is
counted from its start. The database rows go first, in one transaction per batch; the recordings
are removed after it commits, so a crash in between can leave a file without its row, never a
row pointing at a missing file.

Run by the service every `HAKSHEV_RETENTION_CHECK_S` (an asyncio task; the work itself in
threads), and on demand by `hakshev purge`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.store.models import Base, Call

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass
class Purged:
    calls: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # recordings removed (or to remove)


def cutoff_for(days: float, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


def expired_calls(s: Session, cutoff: datetime) -> list[tuple[str, str | None]]:
    """(id, recording path) of the ended calls that started before `cutoff`."""
    rows = s.execute(
        select(Call.id, Call.audio_path)
        .where(Call.started_at < cutoff, Call.status == "ended")
        .order_by(Call.started_at)
    ).all()
    return [(r[0], r[1]) for r in rows]


def delete_calls(s: Session, ids: list[str]) -> None:
    """Delete calls and every row that refers to them."""
    calls = Base.metadata.tables["calls"]
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        for table in Base.metadata.sorted_tables:
            if table is calls:
                continue
            for fk in table.foreign_keys:
                if fk.column.table is calls:
                    s.execute(delete(table).where(fk.parent.in_(chunk)))
        s.execute(delete(calls).where(calls.c.id.in_(chunk)))


def purge_rows(s: Session, cutoff: datetime, dry_run: bool = False) -> Purged:
    """In a transaction: delete what is older than `cutoff`; returns what went (the files are
    for `remove_files`, after the commit)."""
    found = expired_calls(s, cutoff)
    result = Purged([cid for cid, _ in found], [p for _, p in found if p])
    if found and not dry_run:
        delete_calls(s, result.calls)
    return result


def remove_files(paths: list[str]) -> int:
    """Remove recordings (and a live call's raw `.pcm` twin); returns how many were removed."""
    removed = 0
    for p in paths:
        path = Path(p)
        for candidate in {path, path.with_suffix(".pcm")}:
            try:
                candidate.unlink()
                removed += 1
            except FileNotFoundError:
                continue
            except OSError:
                logger.exception("could not remove %s", candidate)
    return removed


async def retention_loop(store: object, days: float, every_s: float) -> None:
    """The service's periodic purge: the deletion through the store's writer, the files in a
    thread; the loop itself only sleeps. A failed run is logged and tried again next time."""
    import asyncio

    from starlette.concurrency import run_in_threadpool

    while True:
        try:
            purged: Purged = await store.write(purge_rows, cutoff_for(days))  # type: ignore[attr-defined]
            if purged.calls:
                removed = await run_in_threadpool(remove_files, purged.files)
                logger.info(
                    "retention: deleted %d call(s) older than %g days and %d recording(s)",
                    len(purged.calls),
                    days,
                    removed,
                )
        except Exception:
            logger.exception("retention: purge failed; trying again in %.0f s", every_s)
        await asyncio.sleep(every_s)
