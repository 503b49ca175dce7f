"""SQLAlchemy 2 models of kaohe's store. Importing this package registers every table on ``Base.metadata``."""

from kaohe.models.audit import AuditEntry
from kaohe.models.base import AwareDateTime, Base, utcnow
from kaohe.models.cycle import Cycle, CycleStage
from kaohe.models.obligation import Obligation
from kaohe.models.outbox import OutboxMessage
from kaohe.models.unit import Unit

__all__ = ["AuditEntry", "AwareDateTime", "Base", "Cycle", "CycleStage", "Obligation", "OutboxMessage", "Unit", "utcnow"]
