"""The pages: the rep's live side panel, the team lead's live tiles, calls table, scorecard and
trends, and the trainer's replay — static HTML, CSS and ES modules from `frontend/`.

Every page needs a principal: without one it redirects to `/login?next=...`. A page about a call
or a rep the principal may not see answers with a plain 404 (or 403 for a page the role may not
open), never with someone else's data. The page language is `?lang=`, else the `hakshev_lang`
cookie the language switch sets, else English; Hebrew pages are served `dir="rtl"`.
"""

from __future__ import annotations

import html
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from app.api.auth import OptionalPrincipalDep
from app.api.deps import HubDep, StoreDep
from app.auth.roles import Principal
from app.core.config import ROOT
from app.store import repo

FRONTEND = ROOT / "frontend"
CHART_JS = FRONTEND / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
LANG_COOKIE = "hakshev_lang"
LEAD_ROLES = frozenset({"lead", "trainer", "admin"})

router = APIRouter(include_in_schema=False)
static = StaticFiles(directory=FRONTEND / "static", check_dir=False)


def _language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "en"
    return "he" if lang == "he" else "en"


def _page(request: Request, name: str, status_code: int = 200, **values: str) -> HTMLResponse:
    lang = _language(request)
    text = (FRONTEND / "pages" / f"{name}.html").read_text(encoding="utf-8")
    text = text.replace(
        '<html lang="en" dir="ltr">',
        f'<html lang="{lang}" dir="{"rtl" if lang == "he" else "ltr"}">',
        1,
    )
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    response = HTMLResponse(text, status_code=status_code)
    if request.query_params.get("lang") in ("he", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(request: Request, code: int, message: str) -> HTMLResponse:
    return _page(request, "error", code, code=str(code), message=message)


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status.HTTP_303_SEE_OTHER)


async def _may_view_call(store: Any, hub: Any, principal: Principal, call_id: str) -> bool:
    live = hub.calls.get(call_id)
    if live is not None:
        return bool(principal.can_view(live.start.rep_id))
    call = await store.read(repo.get_call, call_id)
    return call is not None and principal.can_view(call.rep_id)


@router.get("/")
async def home(principal: OptionalPrincipalDep) -> Response:
    if principal is None:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    target = "/panel" if principal.role == "rep" else "/live"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _page(request, "login")


@router.get("/panel")
async def panel(
    request: Request,
    principal: OptionalPrincipalDep,
    store: StoreDep,
    hub: HubDep,
    call: Annotated[str | None, Query(max_length=128)] = None,
    rep: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    if principal is None:
        return _to_login(request)
    if call is not None and not await _may_view_call(store, hub, principal, call):
        return _error(request, 404, f"No call {call}.")
    if call is None and rep is not None and not principal.can_view(rep):
        return _error(request, 403, f"You may not follow the calls of {rep}.")
    return _page(request, "panel")


@router.get("/live")
async def live_page(request: Request, principal: OptionalPrincipalDep) -> Response:
    if principal is None:
        return _to_login(request)
    if principal.role not in LEAD_ROLES:
        return _error(request, 403, "The live calls overview is for team leads and trainers.")
    return _page(request, "live")


@router.get("/calls")
async def calls_page(request: Request, principal: OptionalPrincipalDep) -> Response:
    if principal is None:
        return _to_login(request)
    return _page(request, "calls")


@router.get("/trends")
async def trends_page(request: Request, principal: OptionalPrincipalDep) -> Response:
    if principal is None:
        return _to_login(request)
    return _page(request, "trends")


async def _call_page(
    page: str, call_id: str, request: Request, principal: Any, store: Any, hub: Any
) -> Response:
    """A page about one call: sign in first; another rep's call is a call that doesn't exist."""
    if principal is None:
        return _to_login(request)
    if not await _may_view_call(store, hub, principal, call_id):
        return _error(request, 404, f"No call {call_id}.")
    return _page(request, page)


@router.get("/calls/{call_id}")
async def scorecard_page(
    call_id: str, request: Request, principal: OptionalPrincipalDep, store: StoreDep, hub: HubDep
) -> Response:
    return await _call_page("scorecard", call_id, request, principal, store, hub)


@router.get("/calls/{call_id}/replay")
async def replay_page(
    call_id: str, request: Request, principal: OptionalPrincipalDep, store: StoreDep, hub: HubDep
) -> Response:
    return await _call_page("replay", call_id, request, principal, store, hub)


@router.get("/static/vendor/chart.umd.min.js")
async def chart_js() -> Response:
    """Chart.js, from the npm package `scripts/setup.sh` installs (`npm ci` in frontend/)."""
    if not CHART_JS.exists():
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, "Chart.js is not installed: run `npm ci` in frontend/"
        )
    return FileResponse(CHART_JS, media_type="text/javascript")


def mount(app: Any) -> None:
    """The page routes and `/static` (frontend/static)."""
    app.include_router(router)
    app.mount("/static", static, name="static")
