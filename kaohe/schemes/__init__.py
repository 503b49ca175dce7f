"""Assessment schemes as data: the model of a scheme file and its loader."""

from kaohe.schemes.loader import (
    find_scheme,
    load_scheme,
    load_scheme_file,
    load_spec,
    scheme_files,
)
from kaohe.schemes.model import DateSpec, ReminderPlan, Scheme, Stage
from kaohe.schemes.snapshot import scheme_from_snapshot

__all__ = ["DateSpec", "ReminderPlan", "Scheme", "Stage", "find_scheme", "load_scheme", "load_scheme_file", "load_spec",
           "scheme_files", "scheme_from_snapshot"]
