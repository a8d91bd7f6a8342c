"""Accounts for tests: users and API keys written straight into the test database."""

from __future__ import annotations

from app.auth import service
from app.core.config import Settings
from app.store.db import Database, migrate

PASSWORD = "correct-horse-battery"


def add_account(settings: Settings, username: str, role: str, *, team: str | None = None) -> str:
    """A user (password `PASSWORD`) and an API key that acts for them; returns the key."""
    db = Database(settings.db_url)
    try:
        migrate(db.engine)
        with db.session() as s:
            user = service.create_user(s, username, PASSWORD, role, team=team)
            _, key = service.create_api_key(s, f"test key of {username}", role, user=user)
        return key
    finally:
        db.close()


_ADMIN_KEYS: dict[str, str] = {}


def admin_key(settings: Settings) -> str:
    """An admin's API key in this settings' database (made once per database)."""
    if settings.db_url not in _ADMIN_KEYS:
        _ADMIN_KEYS[settings.db_url] = add_account(settings, "test-admin", "admin")
    return _ADMIN_KEYS[settings.db_url]


def admin_headers(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_key(settings)}"}
