import pytest

from tally import Asset, Ledger, MaxAmount, Money, Transaction, UnknownAccount


def test_recording_posts_every_entry(books):
    books.record(Transaction("sale").debit("cash", Money(1200)).credit("sales", Money(1200)))
    assert books["cash"].balance == Money(1200)
    assert books["sales"].balance == Money(1200)
    assert len(books) == 1


def test_unbalanced_transactions_are_refused(books):
    with pytest.raises(ValueError, match="unbalanced"):
        books.record(Transaction("oops").debit("cash", Money(1)))
    assert books.journal == ()


def test_unknown_accounts_are_refused(books):
    with pytest.raises(ValueError, match="unknown account petty"):
        books.record(Transaction("x").debit("petty", Money(1)).credit("cash", Money(1)))
    with pytest.raises(UnknownAccount):
        books["petty"]


def test_an_account_opens_once(books):
    with pytest.raises(ValueError, match="already open"):
        books.open(Asset("cash"))


def test_rules_veto_transactions():
    ledger = Ledger(rules=MaxAmount(Money(100)))
    ledger.open(Asset("cash"))
    ledger.open(Asset("bank"))
    with pytest.raises(ValueError, match="max-amount"):
        ledger.record(Transaction("move").debit("cash", Money(500)).credit("bank", Money(500)))


def test_trial_balance_lists_every_account(books):
    books.record(Transaction("loan").debit("bank", Money(5000)).credit("loan", Money(5000)))
    balance = books.trial_balance()
    assert balance["bank"] == Money(5000)
    assert balance["loan"] == Money(5000)
    assert balance["rent"] == Money(0)


def test_accounts_by_kind(books):
    assert [a.name for a in books.accounts_of("asset")] == ["cash", "bank"]
    assert "rent" in books
