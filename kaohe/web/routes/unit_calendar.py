"""A unit's calendar subscription (ICS): its secret address, rotated on request; the feed itself answers only
to the current address's token, without a session (calendar clients have none)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kaohe.ics import unit_calendar
from kaohe.links import calendar_feed_token, calendar_feed_token_matches
from kaohe.models import Account
from kaohe.services.calendar_feeds import RotateCalendarToken, rotate_calendar_token
from kaohe.store.calendar_feeds import feed_generation, unit_exists
from kaohe.web.actions import actor_of
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, NotFound, SessionDep, WebContext, origin_of, require, require_form

router = APIRouter(include_in_schema=False)
UnitAccount = Annotated[Account, Depends(require("unit"))]
UnitForm = Annotated[Account, Depends(require_form("unit"))]


def feed_url(context: WebContext, unit_code: str, generation: int) -> str:
    """The subscription address of the unit's current generation, under ``KAOHE_PUBLIC_URL``."""
    from urllib.parse import quote

    token = calendar_feed_token(context.secret, unit_code, generation)
    return f"{context.settings.public_url.rstrip('/')}/ics/{quote(unit_code, safe='')}/{token}.ics"


@router.get("/calendar")
def calendar_page(request: Request, db: SessionDep, context: ContextDep, account: UnitAccount, notice: str | None = None) -> Response:
    """The unit's subscription address (for Outlook, phone calendars, WPS…) and the button that retires it."""
    url = feed_url(context, account.unit_code or "", feed_generation(db, account.unit_code or ""))
    webcal = "webcal://" + url.split("://", 1)[1]
    return render(request, "unit_calendar.html", url=url, webcal=webcal,
                  notice="已生成新的订阅地址，原地址即刻失效；请在日历软件中改用新地址" if notice == "rotated" else None)


@router.post("/calendar/rotate")
def rotate(request: Request, context: ContextDep, account: UnitForm) -> Response:
    """Retire the old address and make a new one (audited)."""
    rotate_calendar_token(context.services(), RotateCalendarToken(actor_of(account), account.unit_code or "", origin_of(request).detail()))
    return RedirectResponse("/calendar?notice=rotated", status_code=303)


@router.get("/ics/{unit_code}/{token}.ics")
async def feed(unit_code: str, token: str, context: ContextDep) -> Response:
    """The unit's deadlines in every cycle, with alarms: only for the current token (404 for any other, an old one included)."""
    def build() -> bytes:
        from kaohe.notifications.links import signer_from_settings
        from kaohe.web.deps import get_db

        for db in get_db(context):
            if not unit_exists(db, unit_code) or not calendar_feed_token_matches(context.secret, unit_code, feed_generation(db, unit_code), token):
                raise NotFound("订阅地址无效或已更换")
            return unit_calendar(db, unit_code, stamp=context.now(), workdays=context.services().calendar,
                                 link=signer_from_settings(context.settings))
        raise AssertionError("unreachable")

    data = await run_in_threadpool(build)
    return Response(data, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="kaohe.ics"', "Cache-Control": "private, max-age=300"})
