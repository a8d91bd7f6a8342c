"""Users, sign-in sessions and API keys over a database session (run in a thread).

Passwords are hashed with Argon2id (pwdlib). Session tokens and API keys are random 256-bit
secrets handed out once; only their SHA-256 is stored, so a leaked database gives neither.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.auth.roles import KEY_ROLES, ROLES, Principal
from app.store.models import ApiKey, AuthSession, User, utcnow

_hasher = PasswordHash.recommended()  # Argon2id with the library's current parameters
# Verified against when the username is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("hakshev-dummy-password")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
KEY_PREFIX = "hk_"
MIN_PASSWORD = 8


class AuthError(ValueError):
    """A refused account operation, with a message fit to show."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password must have at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AuthError("password too long")
    return _hasher.hash(password)


def create_user(
    s: Session,
    username: str,
    password: str,
    role: str,
    *,
    team: str | None = None,
    display_name: str = "",
) -> User:
    if not USERNAME.match(username):
        raise AuthError("username: letters, digits and . _ @ - (at most 128)")
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    if s.scalar(select(User.id).where(User.username == username)) is not None:
        raise AuthError(f"user {username!r} exists")
    user = User(
        username=username,
        role=role,
        team=team or None,
        display_name=display_name or username,
        password_hash=hash_password(password),
        active=True,
    )
    s.add(user)
    s.flush()
    return user


def set_password(s: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    s.execute(delete(AuthSession).where(AuthSession.user_id == user.id))  # sign out everywhere


def authenticate(s: Session, username: str, password: str) -> User | None:
    user = s.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    ok, new_hash = _hasher.verify_and_update(password, user.password_hash)
    if not ok:
        return None
    if new_hash is not None:  # the library's parameters moved on: rehash
        user.password_hash = new_hash
    return user


def start_session(s: Session, user: User, ttl: timedelta) -> tuple[str, datetime]:
    """A new sign-in session: returns the token (shown once) and when it expires."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + ttl
    s.add(AuthSession(token_hash=_digest(token), user_id=user.id, expires_at=expires))
    # Sweep this user's expired sessions while here.
    s.execute(
        delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.expires_at < utcnow())
    )
    return token, expires


def end_session(s: Session, token: str) -> None:
    s.execute(delete(AuthSession).where(AuthSession.token_hash == _digest(token)))


def create_api_key(
    s: Session,
    name: str,
    role: str,
    *,
    user: User | None = None,
    max_calls: int | None = None,
) -> tuple[ApiKey, str]:
    """A new API key: returns the row and the key itself (shown once, never stored)."""
    if role not in KEY_ROLES:
        raise AuthError(f"role must be one of {', '.join(KEY_ROLES)}")
    if not name.strip() or len(name) > 200:
        raise AuthError("name: 1 to 200 characters")
    if max_calls is not None and not 1 <= max_calls <= 10_000:
        raise AuthError("max_calls must be between 1 and 10000")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        name=name.strip(),
        prefix=prefix,
        key_hash=_digest(key),
        role=role,
        user_id=user.id if user else None,
        max_calls=max_calls,
    )
    s.add(row)
    s.flush()
    return row, key


def revoke_api_key(s: Session, key_id: int) -> bool:
    row = s.get(ApiKey, key_id)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return True


def team_members(s: Session, team: str | None) -> frozenset[str]:
    if not team:
        return frozenset()
    rows = s.scalars(select(User.username).where(User.team == team, User.role == "rep"))
    return frozenset(rows)


def principal_for_user(s: Session, user: User, **extra: object) -> Principal:
    members = team_members(s, user.team) if user.role == "lead" else frozenset()
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        team=user.team,
        display_name=user.display_name,
        team_members=members,
        **extra,  # type: ignore[arg-type]
    )


def resolve_session(s: Session, token: str) -> Principal | None:
    row = s.get(AuthSession, _digest(token))
    if row is None:
        return None
    if _aware(row.expires_at) <= utcnow():
        s.delete(row)
        return None
    user = s.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return principal_for_user(s, user)


def resolve_api_key(s: Session, key: str) -> Principal | None:
    if not key.startswith(KEY_PREFIX):
        return None
    row = s.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(key)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - _aware(row.last_used_at) > timedelta(minutes=1):
        row.last_used_at = now
    if row.user_id is not None:
        user = s.get(User, row.user_id)
        if user is None or not user.active:
            return None
        p = principal_for_user(s, user, via="key", key_id=row.id)
        # A key never acts with more than its own role.
        return p if p.role == row.role else dataclasses.replace(p, role=row.role)
    return Principal(
        user_id=None,
        username=f"key:{row.prefix}",
        role=row.role,
        display_name=row.name,
        via="key",
        key_id=row.id,
    )


def resolve(s: Session, secret: str) -> Principal | None:
    """A session token or an API key, whichever `secret` is."""
    if len(secret) > 200:
        return None
    if secret.startswith(KEY_PREFIX):
        return resolve_api_key(s, secret)
    return resolve_session(s, secret)


def ensure_admin(s: Session, username: str = "admin") -> str | None:
    """If no user exists yet: create an admin and return its one-time password."""
    if s.scalar(select(User.id).limit(1)) is not None:
        return None
    password = secrets.token_urlsafe(12)
    create_user(s, username, password, "admin", display_name="Administrator")
    return password
