import pytest

from tally import Money, compound, monthly_payment, simple_interest


def test_simple_interest_defaults_to_five_percent_for_a_year():
    assert simple_interest(Money(10000)) == Money(500)


def test_simple_interest_over_years():
    assert simple_interest(Money(10000), rate=0.1, years=3) == Money(3000)


def test_monthly_compounding_beats_simple_interest():
    assert compound(Money(10000)) == Money(512)


def test_compounding_per_period():
    assert compound(Money(10000), rate=0.1, years=2, periods=1) == Money(2100)


@pytest.mark.parametrize(("rate", "expected"), [(0.0, Money(1000)), (0.06, Money(1033))])
def test_monthly_payment(rate, expected):
    assert monthly_payment(Money(12000), annual_rate=rate) == expected
