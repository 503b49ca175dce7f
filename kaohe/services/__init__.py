"""The application layer: every user action is one function here.

How to call a service (the CLI, a Prefect task, the simulation and the web all do the same)::

    from kaohe.services import build_context, local_operator
    from kaohe.services.deadlines import ExtendDeadline, extend_deadline

    context = build_context()                       # once per edge: settings, database (migrated), clock, calendar
    result = extend_deadline(context, ExtendDeadline(actor=local_operator("coordinator"), cycle="mile-2018",
                                                     stage="self_check", to=dt.date(2019, 1, 30), reason="…"))

Each service takes the context and a frozen command naming the acting ``Actor``, checks the permission
(``permissions.py``), runs in one unit of work that commits once and writes its audit entry, and returns
a frozen result. Errors are ``kaohe.errors`` exceptions; ``PermissionDeniedError`` when the actor may not.
"""

from kaohe.services.actors import Actor, Role, local_operator, system
from kaohe.services.context import AppContext, build_context, current_context, using

__all__ = ["Actor", "AppContext", "Role", "build_context", "current_context", "local_operator", "system", "using"]
