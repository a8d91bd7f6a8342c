"""Comments in the replay: a trainer's (or lead's) note at a moment or a range of a call.

Everyone who may see the call reads its comments; `COMMENT_ROLES` add them; only the author
changes or deletes one (another user gets 403; a call or comment the principal may not see, 404).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.auth import PrincipalDep, require
from app.api.deps import StoreDep
from app.auth.roles import COMMENT_ROLES, Principal
from app.store.models import Call, Comment, utcnow

router = APIRouter(tags=["comments"])
MAX_TEXT = 4000
MAX_TIME = 6 * 3600.0


class CommentIn(BaseModel):
    start: float = Field(ge=0, le=MAX_TIME, description="call time, seconds")
    end: float | None = Field(None, ge=0, le=MAX_TIME, description="end of a range, seconds")
    text: str = Field(min_length=1, max_length=MAX_TEXT)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a comment needs some text")
        return v.strip()

    @model_validator(mode="after")
    def _range(self) -> CommentIn:
        if self.end is not None and self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class CommentPatch(BaseModel):
    start: float | None = Field(None, ge=0, le=MAX_TIME)
    end: float | None = Field(None, ge=0, le=MAX_TIME)
    text: str | None = Field(None, min_length=1, max_length=MAX_TEXT)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("a comment needs some text")
        return v.strip() if v is not None else None


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()


def _out(c: Comment, principal: Principal) -> dict[str, Any]:
    return {
        "id": c.id,
        "call_id": c.call_id,
        "author": c.author_name,
        "start": c.start,
        "end": c.end,
        "text": c.text,
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
        "mine": _is_author(c, principal),
    }


def _is_author(c: Comment, principal: Principal) -> bool:
    if principal.user_id is not None:
        return c.author_id == principal.user_id
    return False


def _visible_call(s: Session, call_id: str, principal: Principal) -> Call | None:
    call = s.get(Call, call_id)
    if call is None or not principal.can_view(call.rep_id):
        return None
    return call


_NOT_FOUND = "not_found"
_FORBIDDEN = "forbidden"


def _raise(result: Any, what: str) -> Any:
    if result == _NOT_FOUND:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no {what}")
    if result == _FORBIDDEN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only its author changes a comment")
    return result


@router.get("/v1/calls/{call_id}/comments", summary="A call's comments, by time")
async def list_comments(
    call_id: str, principal: PrincipalDep, store: StoreDep
) -> list[dict[str, Any]]:
    def read(s: Session) -> Any:
        if _visible_call(s, call_id, principal) is None:
            return _NOT_FOUND
        rows = s.scalars(
            select(Comment).where(Comment.call_id == call_id).order_by(Comment.start, Comment.id)
        )
        return [_out(c, principal) for c in rows]

    return _raise(await store.read(read), f"call {call_id}")  # type: ignore[no-any-return]


@router.post(
    "/v1/calls/{call_id}/comments",
    status_code=status.HTTP_201_CREATED,
    summary="Comment at a moment (or a range) of a call",
)
async def add_comment(
    call_id: str,
    body: CommentIn,
    principal: Annotated[Principal, require(COMMENT_ROLES)],
    store: StoreDep,
) -> dict[str, Any]:
    def write(s: Session) -> Any:
        if _visible_call(s, call_id, principal) is None:
            return _NOT_FOUND
        c = Comment(
            call_id=call_id,
            author_id=principal.user_id,
            author_name=principal.display_name or principal.username,
            start=round(body.start, 2),
            end=round(body.end, 2) if body.end is not None else None,
            text=body.text,
        )
        s.add(c)
        s.flush()
        return _out(c, principal)

    return _raise(await store.write(write), f"call {call_id}")  # type: ignore[no-any-return]


def _own_comment(s: Session, comment_id: int, principal: Principal) -> Comment | str:
    c = s.get(Comment, comment_id)
    if c is None or _visible_call(s, c.call_id, principal) is None:
        return _NOT_FOUND
    if not _is_author(c, principal):
        return _FORBIDDEN
    return c


@router.patch("/v1/comments/{comment_id}", summary="Change a comment (its author only)")
async def patch_comment(
    comment_id: int, body: CommentPatch, principal: PrincipalDep, store: StoreDep
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)

    def write(s: Session) -> Any:
        c = _own_comment(s, comment_id, principal)
        if isinstance(c, str):
            return c
        start = changes.get("start", c.start)
        end = changes.get("end", c.end)
        if start is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "start may not be null")
        if end is not None and end < start:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, "end must not be before start"
            )
        c.start, c.end = round(start, 2), (round(end, 2) if end is not None else None)
        if changes.get("text"):
            c.text = changes["text"]
        c.updated_at = utcnow()
        s.flush()
        return _out(c, principal)

    return _raise(await store.write(write), f"comment {comment_id}")  # type: ignore[no-any-return]


@router.delete("/v1/comments/{comment_id}", summary="Delete a comment (its author only)")
async def delete_comment(
    comment_id: int, principal: PrincipalDep, store: StoreDep
) -> dict[str, Any]:
    def write(s: Session) -> Any:
        c = _own_comment(s, comment_id, principal)
        if isinstance(c, str):
            return c
        s.delete(c)
        return {"id": comment_id, "deleted": True}

    return _raise(await store.write(write), f"comment {comment_id}")  # type: ignore[no-any-return]
