import pytest

from tally import Asset, Equity, Expense, Income, Ledger, Liability


@pytest.fixture
def books() -> Ledger:
    ledger = Ledger()
    for account in (Asset("cash"), Asset("bank"), Liability("loan"), Equity("capital"), Income("sales"),
                    Expense("rent")):
        ledger.open(account)
    return ledger
