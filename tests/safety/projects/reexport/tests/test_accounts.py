import pytest

from tally import Asset, CurrencyMismatch, Expense, Income, Liability, Money


def test_asset_balance_is_the_sum_of_postings():
    cash = Asset("cash")
    cash.post(Money(500))
    cash.post(Money(-200))
    assert cash.balance == Money(300)


def test_credit_normal_accounts_flip_the_sign():
    loan = Liability("loan")
    loan.post(Money(-1000))
    assert loan.balance == Money(1000)


def test_postings_in_another_currency_are_refused():
    with pytest.raises(CurrencyMismatch):
        Asset("cash").post(Money(1, "USD"))


def test_an_account_iterates_over_its_postings():
    rent = Expense("rent")
    assert rent.is_empty
    rent.post(Money(700))
    rent.post(Money(50))
    assert len(rent) == 2
    assert list(rent) == [Money(700), Money(50)]


def test_expense_description_counts_postings():
    rent = Expense("rent")
    rent.post(Money(700))
    assert rent.describe() == "expense rent (1 postings): 7.00 EUR"


def test_income_description_is_tagged():
    sales = Income("sales")
    sales.post(Money(-1999))
    assert sales.describe() == "income sales: 19.99 EUR [revenue]"


def test_accounts_are_equal_by_kind_and_name():
    assert Asset("cash") == Asset("cash")
    assert Asset("cash") != Liability("cash")
    assert repr(Asset("cash")) == "Asset('cash')"
