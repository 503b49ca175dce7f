"""SQLAlchemy 2 models of kaohe's store. Importing this package registers every table on ``Base.metadata``."""

from kaohe.models.account import Account, ApiToken, WebSession
from kaohe.models.audit import AuditEntry
from kaohe.models.base import AwareDateTime, Base, utcnow
from kaohe.models.calendar_feed import CalendarFeed
from kaohe.models.cascade import DateChange
from kaohe.models.cycle import Cycle, CycleStage
from kaohe.models.delivery import DeliveryEvent, LedgerEntry
from kaohe.models.obligation import Obligation
from kaohe.models.order import SupervisionOrder
from kaohe.models.outbox import OutboxMessage
from kaohe.models.result import RectificationItem, ResultVersion, UnitResultRecord
from kaohe.models.review import ThirdPartyReview
from kaohe.models.sample import SampleDraw
from kaohe.models.score import DecimalText, ItemScore, VerificationSignoff
from kaohe.models.submission import Submission, SubmissionClosure
from kaohe.models.unit import Unit

__all__ = [
    "AuditEntry", "AwareDateTime", "CalendarFeed", "Base", "Cycle", "CycleStage", "DateChange", "DeliveryEvent", "LedgerEntry", "DecimalText", "ItemScore", "Obligation", "OutboxMessage",
    "SampleDraw", "Submission", "SubmissionClosure", "SupervisionOrder", "ThirdPartyReview", "Unit", "VerificationSignoff",
    "utcnow",
    "RectificationItem", "ResultVersion", "UnitResultRecord",
    "Account", "ApiToken", "WebSession",
]
