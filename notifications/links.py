"""The task link in a message: a marker when the message is rendered, a signed URL when it is sent.

The outbox keeps ``⟦办理链接⟧`` in the body and the link's parts in ``extras["link"]``; the dispatcher
replaces the marker with a URL signed by :func:`kaohe.links.sign_task_link`, so no link token sits in
the outbox or the delivery record. Without a signer the marker becomes a line telling the unit to log in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kaohe.settings import Settings

LINK_MARKER = "⟦办理链接⟧"
NO_LINK = "请登录考核工作系统办理"
LINK_VALIDITY = dt.timedelta(days=30)

LinkSigner = Callable[[Mapping[str, Any]], str]


def link_ref(cycle: str, unit: str, stage: str | None, until: dt.datetime | None) -> dict[str, str | None]:
    """The parts of a task link, kept in the outbox: the link stays valid 30 days past ``until`` (the deadline)."""
    expires = (until + LINK_VALIDITY).isoformat() if until is not None else None
    return {"cycle": cycle, "unit": unit, "stage": stage, "expires": expires}


def fill_link(text: str, ref: Mapping[str, Any] | None, signer: LinkSigner | None) -> str:
    """``text`` with the marker replaced by the signed link (or, without signer or ref, by :data:`NO_LINK`)."""
    if LINK_MARKER not in text:
        return text
    url = signer(ref) if signer is not None and ref else NO_LINK
    return text.replace(LINK_MARKER, url)


def signer_from_settings(settings: Settings) -> LinkSigner:
    """The signer for ``KAOHE_PUBLIC_URL`` and the site's secret key (:func:`kaohe.links.sign_task_link`)."""
    from kaohe.links import sign_task_link

    public_url, secret = settings.public_url, settings.site_secret()

    def sign(ref: Mapping[str, Any]) -> str:
        expires = dt.datetime.fromisoformat(ref["expires"]) if ref.get("expires") else dt.datetime.now(dt.timezone.utc) + LINK_VALIDITY
        return sign_task_link(public_url, secret, cycle=ref["cycle"], unit=ref["unit"], stage=ref.get("stage"), expires=expires)

    return sign
