"""The ledger: accounts by name and the journal of recorded transactions."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .accounts import Account
from .entries import Transaction
from .money import Money


class UnknownAccount(KeyError):
    pass


class Ledger:
    def __init__(self, rules: Callable[[Transaction], list[str]] | None = None) -> None:
        self._accounts: dict[str, Account] = {}
        self._journal: list[Transaction] = []
        self.rules = rules

    def open(self, account: Account) -> Account:
        if account.name in self._accounts:
            raise ValueError(f"account {account.name!r} already open")
        self._accounts[account.name] = account
        return account

    def record(self, txn: Transaction) -> None:
        problems = list(self.rules(txn)) if self.rules is not None else []
        if not txn.is_balanced():
            problems.append("unbalanced")
        problems.extend(f"unknown account {entry.account}" for entry in txn if entry.account not in self)
        if problems:
            raise ValueError("; ".join(problems))
        for entry in txn:
            self[entry.account].post(entry.amount)
        self._journal.append(txn)

    def trial_balance(self) -> dict[str, Money]:
        return {name: account.balance for name, account in self._accounts.items()}

    def accounts_of(self, kind: str) -> list[Account]:
        return [account for account in self if account.kind == kind]

    @property
    def journal(self) -> tuple[Transaction, ...]:
        return tuple(self._journal)

    def __contains__(self, name: object) -> bool:
        return name in self._accounts

    def __getitem__(self, name: str) -> Account:
        try:
            return self._accounts[name]
        except KeyError:
            raise UnknownAccount(name) from None

    def __iter__(self) -> Iterator[Account]:
        return iter(self._accounts.values())

    def __len__(self) -> int:
        return len(self._journal)
