"""Accounts: where postings land. Credit-normal kinds show their balance with the sign flipped."""

from __future__ import annotations

from collections.abc import Iterator

from .money import DEFAULT_CURRENCY, CurrencyMismatch, Money


class Account:
    kind = "account"
    normal_sign = 1

    def __init__(self, name: str, currency: str = DEFAULT_CURRENCY) -> None:
        self.name = name
        self.currency = currency
        self._postings: list[Money] = []

    def post(self, amount: Money) -> None:
        if amount.currency != self.currency:
            raise CurrencyMismatch(f"{self.name} is kept in {self.currency}")
        self._postings.append(amount)

    @property
    def balance(self) -> Money:
        return sum(self._postings, Money.zero(self.currency)) * self.normal_sign

    @property
    def is_empty(self) -> bool:
        return len(self._postings) == 0

    def describe(self) -> str:
        return f"{self.kind} {self.name}: {self.balance}"

    def __len__(self) -> int:
        return len(self._postings)

    def __iter__(self) -> Iterator[Money]:
        return iter(self._postings)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Account):
            return NotImplemented
        return (self.kind, self.name) == (other.kind, other.name)

    def __hash__(self) -> int:
        return hash((self.kind, self.name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Asset(Account):
    kind = "asset"


class Expense(Account):
    kind = "expense"

    def describe(self) -> str:
        return f"expense {self.name} ({len(self)} postings): {self.balance}"


class Liability(Account):
    kind = "liability"
    normal_sign = -1


class Equity(Liability):
    kind = "equity"


class Income(Liability):
    kind = "income"

    def describe(self) -> str:
        return super().describe() + " [revenue]"
