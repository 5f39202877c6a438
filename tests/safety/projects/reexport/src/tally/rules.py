"""Checks run on a transaction before the ledger records it; calling a rule runs it."""

from __future__ import annotations

from collections.abc import Iterator

from .entries import Transaction
from .money import Money


class Rule:
    name = "rule"

    def run(self, txn: Transaction) -> list[str]:
        return []

    __call__ = run

    def __repr__(self) -> str:
        return f"<{self.name}>"


class MaxAmount(Rule):
    name = "max-amount"

    def __init__(self, limit: Money) -> None:
        self.limit = limit

    def run(self, txn: Transaction) -> list[str]:
        return [f"{self.name}: {entry.account} {entry.amount}" for entry in txn
                if abs(entry.amount.cents) > self.limit.cents]

    __call__ = run


class RequireMemo(Rule):
    name = "require-memo"
    min_length = 3

    def run(self, txn: Transaction) -> list[str]:
        if len(txn.memo.strip()) >= self.min_length:
            return []
        return [f"{self.name}: memo shorter than {self.min_length}"]

    __call__ = run


class RuleSet(Rule):
    name = "all"

    def __init__(self, *rules: Rule) -> None:
        self.rules = rules

    def run(self, txn: Transaction) -> list[str]:
        problems: list[str] = []
        for rule in self.rules:
            problems.extend(rule(txn))
        return problems

    __call__ = run

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)
