"""The `hakshev` command: analyse a call offline, or serve the API."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.asr.models import ModelError
from app.audio.io import AudioError
from app.auth.roles import KEY_ROLES as KEY_ROLE_NAMES
from app.auth.roles import ROLES as ROLE_NAMES
from app.core.events import ROLES, Participant
from app.rubrics.config import RubricFileError

BAR_FORMAT = "{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]"
AUDIO_HINT = "a *.call.json transcript or an audio file (WAV, FLAC, MP3, …)"


class CliError(Exception):
    """Bad input: printed as one line, exit status 2."""


def _participant(value: str) -> tuple[str, str]:
    role, _, name = value.partition(":")
    if role not in ROLES:
        raise argparse.ArgumentTypeError(
            f"role must be one of {', '.join(ROLES)} (got {role!r}); use ROLE or ROLE:NAME"
        )
    return role, name


def _participants(specs: list[tuple[str, str]]) -> list[Participant]:
    """Participants from `--participant ROLE[:NAME]`: ids are the roles (customer, rep, …),
    numbered when a role repeats (cs, cs2)."""
    out, seen = [], {}
    for role, name in specs:
        seen[role] = seen.get(role, 0) + 1
        pid = role if seen[role] == 1 else f"{role}{seen[role]}"
        out.append(Participant(pid, role, name or role.capitalize()))
    return out


def _format_text(card: dict[str, Any]) -> str:
    lines = [
        f"call {card['call_id']} ({card['language']}, {card['duration']:.0f} s) — "
        f"score {card['score'] if card['score'] is not None else '–'}",
        f"outcome {card['outcome']} · churn reason {card['churn_reason']} · "
        f"stage {card['churn_stage']}",
        "",
    ]
    for rubric, v in card["verdicts"].items():
        lines.append(f"  {v['verdict']:<4}  {rubric:<20} {v['reason']}")
        for e in v["evidence"][:3]:
            lines.append(f"          {e['start']:7.1f}s {e['role']:<9} {e['text'][:90]}")
    if card["nudges"]:
        lines += ["", "nudges:"]
        lines += [f"  {n['at']:7.1f}s  {n['rubric']:<20} {n['text']}" for n in card["nudges"]]
    m = card["metrics"]
    lines += [
        "",
        f"talk share {m['talk_share']} · take-overs {m['take_overs']} · offers {m['offers']} · "
        f"median reply gap {m['median_reply_gap']} s · longest monologue {m['longest_monologue']}",
    ]
    return "\n".join(lines)


def cmd_analyze(args: argparse.Namespace) -> int:
    from app.core.config import get_settings
    from app.pipeline.analyze import analyze_recording, analyze_transcript
    from app.pipeline.callfile import CallFileError, load_call
    from app.pipeline.resources import Resources

    path: Path = args.path
    if not path.exists():
        raise CliError(f"{path}: no such file")
    if path.is_dir():
        raise CliError(f"{path}: is a folder; give {AUDIO_HINT}")
    try:
        settings = get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CliError(f"setting HAKSHEV_{str(first['loc'][0]).upper()}: {first['msg']}") from exc
    resources = Resources(settings)
    if path.name.endswith(".json"):
        try:
            call = load_call(path)
        except CallFileError as exc:
            raise CliError(str(exc)) from exc
        if args.language and args.language != call.language:
            call = call.model_copy(update={"language": args.language})
        card = analyze_transcript(resources, call)
    else:
        from tqdm import tqdm

        with contextlib.ExitStack() as stack:
            bars: list[tqdm] = []  # made once the recording's length is known

            def progress(done: float, total: float) -> None:
                if not bars:
                    bars.append(
                        stack.enter_context(
                            tqdm(
                                total=round(total, 1),
                                unit="s",
                                desc="analysing",
                                file=sys.stderr,
                                disable=args.quiet,
                                bar_format=BAR_FORMAT,
                            )
                        )
                    )
                bars[0].update(round(done - bars[0].n, 1))

            card = analyze_recording(
                resources,
                path,
                path.stem,
                args.language,
                _participants(args.participant),
                progress,
            )
    data = card.to_dict()
    if args.format == "json":
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(_format_text(data))
    return 0


def _load(path: Path):  # type: ignore[no-untyped-def]
    from app.audio.io import load_audio

    return load_audio(path)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "app.api.main:create_app", factory=True, host=args.host, port=args.port, log_level="info"
    )
    return 0


def cmd_stream(args: argparse.Namespace) -> int:
    import asyncio

    from app.streamer import print_event, stream_call

    path: Path = args.path
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    audio = _load(path)
    people = _participants(args.participant)
    if not people and audio.shape[1] == 2:
        from app.pipeline.analyze import DEFAULT_STEREO

        people = list(DEFAULT_STEREO)
    if len(people) != audio.shape[1]:
        raise CliError(
            f"the recording has {audio.shape[1]} channel(s) but {len(people)} participant(s) "
            "were given: give one --participant per channel, in channel order"
        )
    if not args.url.startswith(("ws://", "wss://")):
        raise CliError(f"--url must be a ws:// or wss:// address, not {args.url!r}")
    result = asyncio.run(
        stream_call(
            args.url,
            audio,
            people,
            language=args.language,
            call_id=args.call_id,
            rep_id=args.rep,
            speed=args.speed,
            on_event=print_event,
            token=args.token,
            reconnect_s=args.reconnect,
        )
    )
    if result.error is not None:
        raise CliError(f"the service refused the call: {result.error.get('message', result.error)}")
    return 0


@contextlib.contextmanager
def _db_session() -> Iterator[Any]:
    """A transaction on this machine's database (`HAKSHEV_DATABASE_URL`, migrated first); an
    account error is a CLI error."""
    from app.auth.service import AuthError
    from app.core.config import get_settings
    from app.store.db import Database, migrate

    db = Database(get_settings().db_url)
    try:
        migrate(db.engine)
        with db.session() as s:
            yield s
    except AuthError as e:
        raise CliError(str(e)) from e
    finally:
        db.close()


def _user_named(s: Any, username: str) -> Any:
    from sqlalchemy import select

    from app.store.models import User

    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise CliError(f"no user {username!r}")
    return user


def _positive_days(value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {value!r}") from None
    if not days > 0:
        raise argparse.ArgumentTypeError("days must be more than 0")
    return days


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise CliError("the passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from app.auth import service

    password = _read_password(args)
    with _db_session() as s:
        service.create_user(
            s, args.username, password, args.role, team=args.team, display_name=args.name
        )
    print(f"added {args.role} {args.username}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from app.store.models import User

    with _db_session() as s:
        for u in s.scalars(select(User).order_by(User.username)):
            state = "" if u.active else "  (disabled)"
            print(f"{u.username}\t{u.role}\t{u.team or '-'}\t{u.display_name}{state}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from app.auth import service

    password = _read_password(args)
    with _db_session() as s:
        service.set_password(s, _user_named(s, args.username), password)
    print(f"password set for {args.username}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete calls older than the retention period, with their recordings."""
    from app.core.config import get_settings
    from app.privacy.retention import cutoff_for, purge_rows, remove_files

    days = args.days if args.days is not None else get_settings().retention_days
    if not days:
        raise CliError("no retention period: give --days N or set HAKSHEV_RETENTION_DAYS")
    with _db_session() as s:
        purged = purge_rows(s, cutoff_for(days), dry_run=args.dry_run)
    if args.dry_run:
        for cid in purged.calls:
            print(cid)
        print(f"would delete {len(purged.calls)} call(s) older than {days:g} days", file=sys.stderr)
        return 0
    removed = remove_files(purged.files)
    print(
        f"deleted {len(purged.calls)} call(s) older than {days:g} days "
        f"and {removed} recording file(s)",
        file=sys.stderr,
    )
    return 0


def cmd_key_add(args: argparse.Namespace) -> int:
    from app.auth import service

    with _db_session() as s:
        user = _user_named(s, args.user) if args.user else None
        row, key = service.create_api_key(
            s, args.name, args.role, user=user, max_calls=args.max_calls
        )
        key_id = row.id
    print(f"key {key_id} ({args.role}): {key}")
    print("keep it now: it is not shown again", file=sys.stderr)
    return 0


def cmd_key_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from app.store.models import ApiKey

    with _db_session() as s:
        for k in s.scalars(select(ApiKey).order_by(ApiKey.id)):
            state = "revoked" if k.revoked_at else "active"
            print(f"{k.id}\thk_{k.prefix}_…\t{k.role}\t{state}\t{k.name}")
    return 0


def cmd_key_revoke(args: argparse.Namespace) -> int:
    from app.auth import service

    with _db_session() as s:
        found = service.revoke_api_key(s, args.id)
    if not found:
        raise CliError(f"no key {args.id}")
    print(f"key {args.id} revoked")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hakshev", description="Live coaching for retention calls."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="score a call: a *.call.json transcript or a recording")
    a.add_argument("path", type=Path, help=AUDIO_HINT + ", one channel per participant")
    a.add_argument("--format", choices=("json", "text"), default="text")
    a.add_argument(
        "--language",
        choices=("he", "en"),
        default=None,
        help="the call's language (default: from the transcript, or detected)",
    )
    a.add_argument(
        "--participant",
        action="append",
        default=[],
        type=_participant,
        metavar="ROLE[:NAME]",
        help="one per audio channel, in channel order (roles: " + ", ".join(ROLES) + ")",
    )
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    a.set_defaults(func=cmd_analyze)

    st = sub.add_parser("stream", help="stream a recording to the service as a live call")
    st.add_argument("path", type=Path, help="an audio file, one channel per participant")
    st.add_argument("--url", default="ws://127.0.0.1:8000", help="the service (ws://host:port)")
    st.add_argument("--speed", type=float, default=1.0, help="× real time (0: as fast as possible)")
    st.add_argument("--language", choices=("he", "en"), default="en")
    st.add_argument(
        "--participant",
        action="append",
        default=[],
        type=_participant,
        metavar="ROLE[:NAME]",
        help="one per audio channel, in channel order",
    )
    st.add_argument("--call-id", default=None)
    st.add_argument("--rep", default=None, help="the rep's id")
    st.add_argument(
        "--token",
        default=os.environ.get("HAKSHEV_API_KEY"),
        help="an API key or session token (default: $HAKSHEV_API_KEY)",
    )
    st.add_argument(
        "--reconnect",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="when the connection breaks (e.g. the service restarted), keep trying this long and "
        "resume the call where the service has it (0: give up at once; default 30)",
    )
    st.set_defaults(func=cmd_stream)

    u = sub.add_parser("user", help="manage users (on this machine's database)")
    usub = u.add_subparsers(dest="user_command", required=True)
    ua = usub.add_parser("add", help="add a user; the password is read from the terminal")
    ua.add_argument("username")
    ua.add_argument("--role", choices=ROLE_NAMES, required=True)
    ua.add_argument("--team", default=None)
    ua.add_argument("--name", default="", help="display name")
    ua.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    ua.set_defaults(func=cmd_user_add)
    ul = usub.add_parser("list", help="list users")
    ul.set_defaults(func=cmd_user_list)
    up = usub.add_parser("passwd", help="set a user's password")
    up.add_argument("username")
    up.add_argument("--password-stdin", action="store_true")
    up.set_defaults(func=cmd_user_passwd)

    k = sub.add_parser("key", help="manage API keys (on this machine's database)")
    ksub = k.add_subparsers(dest="key_command", required=True)
    ka = ksub.add_parser("add", help="create an API key; printed once")
    ka.add_argument("name")
    ka.add_argument("--role", choices=KEY_ROLE_NAMES, default="telephony")
    ka.add_argument("--user", default=None, help="the user the key acts for")
    ka.add_argument("--max-calls", type=int, default=None, help="concurrent live calls")
    ka.set_defaults(func=cmd_key_add)
    kl = ksub.add_parser("list", help="list API keys")
    kl.set_defaults(func=cmd_key_list)
    kr = ksub.add_parser("revoke", help="revoke an API key")
    kr.add_argument("id", type=int)
    kr.set_defaults(func=cmd_key_revoke)

    pg = sub.add_parser(
        "purge", help="delete calls older than the retention period, with their recordings"
    )
    pg.add_argument(
        "--days", type=_positive_days, help="default: HAKSHEV_RETENTION_DAYS (calls older go)"
    )
    pg.add_argument("--dry-run", action="store_true", help="list what would go; delete nothing")
    pg.set_defaults(func=cmd_purge)

    s = sub.add_parser("serve", help="start the HTTP and websocket service")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except (CliError, AudioError, ModelError, RubricFileError) as exc:
        print(f"hakshev: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
