"""Reports over a ledger's trial balance; subclasses change the layout, not the numbers."""

from __future__ import annotations

from .ledger import Ledger
from .money import Money


class Report:
    title = "Report"
    separator = ": "

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def rows(self) -> list[tuple[str, str]]:
        return [(name, str(balance)) for name, balance in sorted(self.ledger.trial_balance().items())]

    def header(self) -> str:
        return self.title

    def format_row(self, name: str, value: str) -> str:
        return f"{name}{self.separator}{value}"

    def render(self) -> str:
        return "\n".join([self.header(), *(self.format_row(n, v) for n, v in self.rows())])


class TextReport(Report):
    title = "Trial balance"
    width = 12

    def header(self) -> str:
        return f"{self.title}\n{'=' * len(self.title)}"

    def format_row(self, name: str, value: str) -> str:
        return f"{name:<{self.width}}{value:>14}"


class CsvReport(Report):
    title = "account,balance"
    separator = ","


def balance_sheet(ledger: Ledger) -> dict[str, Money]:
    sheet = {"asset": Money.zero(), "liability": Money.zero(), "equity": Money.zero()}
    for account in ledger:
        if account.kind in sheet:
            sheet[account.kind] = sheet[account.kind] + account.balance
    return sheet
