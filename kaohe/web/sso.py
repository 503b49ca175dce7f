"""The single-sign-on seam. An office that puts an OIDC provider (MaxKey, Keycloak, a 政务钉钉 gateway)
in front of the portal runs an authenticating proxy (oauth2-proxy, the gateway itself) that sets a
header with the login name; ``trusted_header`` turns that header into the portal's account. Only
enable it (``KAOHE_WEB_TRUSTED_USER_HEADER``) when the portal is reachable solely through that proxy
and the proxy overwrites the header on every request; roles and units still come from kaohe's accounts.

Any callable ``(request, session) -> Account | None`` can be passed to ``create_app(authenticator=…)``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from kaohe.models import Account


def trusted_header(header: str) -> Callable[[Request, Session], Account | None]:
    """An authenticator that trusts ``header`` (set by the proxy) to name an active account."""

    def authenticate(request: Request, session: Session) -> Account | None:
        name = request.headers.get(header, "").strip()
        if not name:
            return None
        return session.scalar(select(Account).where(Account.name == name, Account.active.is_(True)))

    return authenticate
