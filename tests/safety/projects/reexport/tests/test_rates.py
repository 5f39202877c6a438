import pytest

from tally import Money, convert, rate


def test_a_currency_converts_to_itself_at_one():
    assert rate("JPY", "JPY") == 1.0


def test_direct_and_inverse_rates():
    assert rate("EUR", "USD") == 1.10
    assert rate("USD", "EUR") == pytest.approx(1 / 1.10)


def test_rates_cross_through_the_base_currency():
    assert rate("GBP", "USD") == pytest.approx(1.10 / 0.85)


def test_unknown_pairs_are_refused():
    with pytest.raises(LookupError):
        rate("EUR", "CHF")


def test_convert_rounds_to_the_cent():
    assert convert(Money(1000, "EUR"), "USD") == Money(1100, "USD")
    assert convert(Money(100, "USD"), "JPY") == Money(15000, "JPY")
