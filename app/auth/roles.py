"""Who may see and do what. One place, so every endpoint asks the same questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["rep", "lead", "trainer", "admin"]
ROLES: tuple[str, ...] = ("rep", "lead", "trainer", "admin")
# An API key may also carry "telephony": it may only stream calls in.
KEY_ROLES: tuple[str, ...] = (*ROLES, "telephony")

# What each role may do, beyond seeing the calls it can see (see `Principal.can_view`).
STREAM_ROLES = frozenset({"rep", "admin", "telephony"})  # send a call's audio
IMPORT_ROLES = frozenset({"lead", "trainer", "admin"})  # store a recording or transcript
COMMENT_ROLES = frozenset({"lead", "trainer", "admin"})  # comment in the replay
ADMIN_ROLES = frozenset({"admin"})  # users, API keys, rubric files


@dataclass(frozen=True)
class Principal:
    """The signed-in user, or the user an API key acts for."""

    user_id: int | None
    username: str
    role: str
    team: str | None = None
    display_name: str = ""
    via: Literal["session", "key"] = "session"
    key_id: int | None = None
    # For a lead: the usernames of the reps in their team (filled in at sign-in time).
    team_members: frozenset[str] = frozenset()

    def can_view(self, rep_id: str | None) -> bool:
        """Whether this principal may read a call of rep `rep_id` (transcript, audio, events)."""
        if self.role in ("admin", "trainer"):
            return True
        if self.role == "lead":
            return rep_id is not None and (rep_id in self.team_members or rep_id == self.username)
        if self.role == "rep":
            return rep_id is not None and rep_id == self.username
        return False  # telephony keys stream calls in; they read nothing

    def visible_reps(self) -> frozenset[str] | None:
        """The rep ids whose calls this principal may list; None: every rep's."""
        if self.role in ("admin", "trainer"):
            return None
        if self.role == "lead":
            return self.team_members | {self.username}
        if self.role == "rep":
            return frozenset({self.username})
        return frozenset()

    def may(self, roles: frozenset[str]) -> bool:
        return self.role in roles
