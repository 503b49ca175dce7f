"""The verifier's pages and a unit's supervision orders, rectification items and calendar subscription."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every router of these pages, in the order the application includes them."""
    from kaohe.web.routes import unit_api, unit_calendar, unit_orders, unit_rectification, verify

    return [verify.router, unit_orders.router, unit_rectification.router, unit_calendar.router, unit_api.router]
