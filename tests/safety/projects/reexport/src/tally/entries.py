"""Journal entries: a transaction is a list of signed postings (debits positive)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .money import DEFAULT_CURRENCY, Money


@dataclass(frozen=True)
class Entry:
    account: str
    amount: Money

    @property
    def is_debit(self) -> bool:
        return self.amount.cents > 0


class Transaction:
    def __init__(self, memo: str = "", entries: Iterable[Entry] = ()) -> None:
        self.memo = memo
        self.entries = list(entries)

    def debit(self, account: str, amount: Money) -> Transaction:
        self.entries.append(Entry(account, amount))
        return self

    def credit(self, account: str, amount: Money) -> Transaction:
        self.entries.append(Entry(account, -amount))
        return self

    @property
    def currency(self) -> str:
        return self.entries[0].amount.currency if self.entries else DEFAULT_CURRENCY

    def total(self) -> Money:
        return sum((entry.amount for entry in self.entries), Money.zero(self.currency))

    def is_balanced(self) -> bool:
        return bool(self.entries) and self.total().cents == 0

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __add__(self, other: Transaction) -> Transaction:
        memo = " + ".join(m for m in (self.memo, other.memo) if m)
        return Transaction(memo, [*self.entries, *other.entries])
