"""Sign-in and the principal behind every request; admin endpoints for users and API keys.

Credentials, in the order they are looked for: `Authorization: Bearer <token or key>`,
`X-API-Key: <key>`, the `hakshev_session` cookie the sign-in sets, and (websockets only, where
a browser can't set headers) a `token` query parameter.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket

from app.api.deps import SettingsDep, StoreDep
from app.auth import service
from app.auth.roles import ADMIN_ROLES, KEY_ROLES, ROLES, Principal
from app.store.models import ApiKey, User

COOKIE = "hakshev_session"
router = APIRouter(tags=["accounts"])


def credential(conn: HTTPConnection) -> str | None:
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    if key := conn.headers.get("x-api-key"):
        return key.strip() or None
    if cookie := conn.cookies.get(COOKIE):
        return cookie
    if conn.scope["type"] == "websocket":
        return conn.query_params.get("token") or None
    return None


async def optional_principal(conn: HTTPConnection) -> Principal | None:
    """The principal behind this request or websocket, or None when there are no valid
    credentials (for pages that redirect to the sign-in page, and for websockets)."""
    cached = conn.scope.get("hakshev.principal")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    secret = credential(conn)
    if secret is None:
        return None
    store = conn.app.state.store
    principal = await store.read(service.resolve, secret)
    if principal is not None:
        conn.scope["hakshev.principal"] = principal
    return principal  # type: ignore[no-any-return]


async def _required(request: Request) -> Principal:
    principal = await optional_principal(request)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in first (or send an API key)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(_required)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


def require(roles: frozenset[str]) -> Any:
    """A dependency: the principal, if its role is one of `roles`; else 403."""

    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"needs the role {' or '.join(sorted(roles))}"
            )
        return principal

    return Depends(check)


AdminDep = Annotated[Principal, require(ADMIN_ROLES)]


async def ws_principal(ws: WebSocket) -> Principal | None:
    return await optional_principal(ws)


# ----- sign-in -----


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


def _me(p: Principal) -> dict[str, Any]:
    return {
        "username": p.username,
        "display_name": p.display_name,
        "role": p.role,
        "team": p.team,
        "via": p.via,
    }


@router.post(
    "/v1/auth/login",
    summary="Sign in: sets the session cookie and returns a token",
    responses={
        401: {"description": "wrong username or password"},
        429: {"description": "too many failed sign-ins: wait `Retry-After` seconds"},
    },
)
async def login(
    body: Login, request: Request, response: Response, store: StoreDep, settings: SettingsDep
):
    ttl = timedelta(hours=settings.session_ttl_hours)
    # Brute force: failed sign-ins are counted per username and per client address (429).
    limits = request.app.state.limits
    client = request.client.host if request.client else "unknown"
    wait = limits.login_retry_after(body.username, client)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed sign-ins; try again later",
            headers={"Retry-After": str(wait)},
        )

    def sign_in(s):  # type: ignore[no-untyped-def]
        user = service.authenticate(s, body.username, body.password)
        if user is None:
            return None
        token, expires = service.start_session(s, user, ttl)
        return token, expires, service.principal_for_user(s, user)

    got = await store.write(sign_in)
    if got is None:
        limits.login_failed(body.username, client)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    limits.login_succeeded(body.username)
    token, expires, principal = got
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return {"token": token, "expires_at": expires.isoformat(), "user": _me(principal)}


@router.post("/v1/auth/logout", summary="Sign out (ends this session)")
async def logout(request: Request, response: Response, store: StoreDep) -> dict[str, str]:
    secret = credential(request)
    if secret and not secret.startswith(service.KEY_PREFIX):
        await store.write(service.end_session, secret)
    response.delete_cookie(COOKIE, path="/")
    return {"status": "signed out"}


@router.get("/v1/auth/me", summary="Who is signed in")
async def me(principal: PrincipalDep) -> dict[str, Any]:
    return _me(principal)


# ----- users (admin) -----


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=128, pattern=service.USERNAME.pattern)
    password: str = Field(min_length=service.MIN_PASSWORD, max_length=1024)
    role: str = Field(pattern=f"^({'|'.join(ROLES)})$")
    team: str | None = Field(None, max_length=128)
    display_name: str = Field("", max_length=200)


class UserPatch(BaseModel):
    password: str | None = Field(None, min_length=service.MIN_PASSWORD, max_length=1024)
    role: str | None = Field(None, pattern=f"^({'|'.join(ROLES)})$")
    team: str | None = Field(None, max_length=128)
    display_name: str | None = Field(None, max_length=200)
    active: bool | None = None


def _user(u: User) -> dict[str, Any]:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "team": u.team,
        "active": u.active,
        "created_at": u.created_at.isoformat() if u.created_at else None,
    }


@router.get("/v1/users", summary="List users (admin; a lead sees their team)")
async def list_users(principal: PrincipalDep, store: StoreDep) -> list[dict[str, Any]]:
    if principal.role not in ("admin", "lead"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "needs the role admin or lead")

    def rows(s):  # type: ignore[no-untyped-def]
        stmt = select(User).order_by(User.username)
        if principal.role == "lead":
            stmt = stmt.where(User.team == principal.team)
        return (
            [_user(u) for u in s.scalars(stmt)]
            if principal.team or principal.role == "admin"
            else []
        )

    return await store.read(rows)  # type: ignore[no-any-return]


@router.post("/v1/users", status_code=201, summary="Add a user (admin)")
async def add_user(body: NewUser, _: AdminDep, store: StoreDep) -> dict[str, Any]:
    def add(s):  # type: ignore[no-untyped-def]
        return _user(
            service.create_user(
                s,
                body.username,
                body.password,
                body.role,
                team=body.team,
                display_name=body.display_name,
            )
        )

    try:
        return await store.write(add)  # type: ignore[no-any-return]
    except service.AuthError as e:
        raise HTTPException(status.HTTP_409_CONFLICT if "exists" in str(e) else 422, str(e)) from e


@router.patch("/v1/users/{username}", summary="Change a user (admin; anyone: own password)")
async def patch_user(
    username: str, body: UserPatch, principal: PrincipalDep, store: StoreDep
) -> dict[str, Any]:
    own = principal.via == "session" and principal.username == username
    admin = principal.role == "admin"
    changes = body.model_dump(exclude_unset=True)
    if not admin and not (own and set(changes) <= {"password"}):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin changes other users")

    def patch(s):  # type: ignore[no-untyped-def]
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            return None
        for field in ("role", "team", "display_name", "active"):
            if field in changes:
                setattr(user, field, changes[field])
        if changes.get("password"):
            service.set_password(s, user, changes["password"])
        return _user(user)

    got = await store.write(patch)
    if got is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user {username!r}")
    return got  # type: ignore[no-any-return]


# ----- API keys (admin) -----


class NewKey(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern=f"^({'|'.join(KEY_ROLES)})$")
    username: str | None = Field(None, max_length=128, description="the user the key acts for")
    max_calls: int | None = Field(None, ge=1, le=10_000, description="concurrent live calls")


def _key(k: ApiKey) -> dict[str, Any]:
    return {
        "id": k.id,
        "name": k.name,
        "prefix": f"{service.KEY_PREFIX}{k.prefix}_…",
        "role": k.role,
        "max_calls": k.max_calls,
        "created_at": k.created_at.isoformat() if k.created_at else None,
        "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
        "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
    }


@router.get("/v1/keys", summary="List API keys (admin)")
async def list_keys(_: AdminDep, store: StoreDep) -> list[dict[str, Any]]:
    return await store.read(  # type: ignore[no-any-return]
        lambda s: [_key(k) for k in s.scalars(select(ApiKey).order_by(ApiKey.id))]
    )


@router.post("/v1/keys", status_code=201, summary="Create an API key (admin; shown once)")
async def add_key(body: NewKey, _: AdminDep, store: StoreDep) -> dict[str, Any]:
    def add(s):  # type: ignore[no-untyped-def]
        user = None
        if body.username:
            user = s.scalar(select(User).where(User.username == body.username))
            if user is None:
                raise service.AuthError(f"no user {body.username!r}")
        row, key = service.create_api_key(
            s, body.name, body.role, user=user, max_calls=body.max_calls
        )
        return {**_key(row), "key": key}

    try:
        return await store.write(add)  # type: ignore[no-any-return]
    except service.AuthError as e:
        raise HTTPException(422, str(e)) from e


@router.delete("/v1/keys/{key_id}", summary="Revoke an API key (admin)")
async def revoke_key(key_id: int, _: AdminDep, store: StoreDep) -> dict[str, Any]:
    if not await store.write(service.revoke_api_key, key_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no key {key_id}")
    return {"id": key_id, "revoked": True}
