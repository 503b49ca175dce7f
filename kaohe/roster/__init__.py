"""Roster import: the list of units of a cycle, read from CSV or XLSX and checked row by row.

Headers are accepted in Chinese or English (see ``columns``); unknown headers become ``attributes``.
Nothing is returned if any row is bad: ``RosterError`` lists every problem with file, row and field.
"""

from kaohe.roster.credit_code import credit_code_check_char, credit_code_problem
from kaohe.roster.entry import CONTACT_CHANNELS, RankingSequence, Role, RosterEntry
from kaohe.roster.reader import read_roster

__all__ = [
    "CONTACT_CHANNELS",
    "RankingSequence",
    "Role",
    "RosterEntry",
    "credit_code_check_char",
    "credit_code_problem",
    "read_roster",
]
