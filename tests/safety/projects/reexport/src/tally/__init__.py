"""Tally: small double-entry bookkeeping.

Everything is re-exported here: users write ``from tally import Ledger`` and never name a
submodule, so every test file depends on every module of the package.
"""

from .accounts import Account, Asset, Equity, Expense, Income, Liability
from .entries import Entry, Transaction
from .interest import compound, monthly_payment, simple_interest
from .ledger import Ledger, UnknownAccount
from .money import DEFAULT_CURRENCY, CurrencyMismatch, Money
from .periods import Period, fiscal_quarter
from .rates import RATES, convert, rate
from .reports import CsvReport, Report, TextReport, balance_sheet
from .rules import MaxAmount, RequireMemo, Rule, RuleSet
from .tax import TaxTable, tax_rate

__all__ = [
    "DEFAULT_CURRENCY",
    "RATES",
    "Account",
    "Asset",
    "CsvReport",
    "CurrencyMismatch",
    "Entry",
    "Equity",
    "Expense",
    "Income",
    "Ledger",
    "Liability",
    "MaxAmount",
    "Money",
    "Period",
    "Report",
    "RequireMemo",
    "Rule",
    "RuleSet",
    "TaxTable",
    "TextReport",
    "Transaction",
    "UnknownAccount",
    "balance_sheet",
    "compound",
    "convert",
    "fiscal_quarter",
    "monthly_payment",
    "rate",
    "simple_interest",
    "tax_rate",
]
