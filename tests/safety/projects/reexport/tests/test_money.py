import pytest

from tally import CurrencyMismatch, Money


def test_parse_reads_units_cents_and_currency():
    assert Money.parse("12.5 USD") == Money(1250, "USD")


def test_parse_defaults_to_euros_and_keeps_the_sign():
    assert Money.parse("-3.07") == Money(-307, "EUR")


def test_str_pads_cents():
    assert str(Money(-1205, "GBP")) == "-12.05 GBP"


def test_adding_and_subtracting_keeps_the_currency():
    assert Money(150) + Money(50) - Money(25) == Money(175)


def test_sum_starts_from_zero():
    assert sum([Money(1), Money(2)]) == Money(3)


def test_mixing_currencies_is_refused():
    with pytest.raises(CurrencyMismatch):
        Money(1, "EUR") + Money(1, "USD")


def test_ordering():
    assert Money(1) < Money(2) <= Money(2)
    assert sorted([Money(5), Money(-1), Money(3)]) == [Money(-1), Money(3), Money(5)]


def test_allocate_hands_out_leftover_cents_first():
    assert Money(100).allocate([1, 1, 1]) == [Money(34), Money(33), Money(33)]


def test_multiplying_rounds_to_the_cent():
    assert Money(333) * 0.5 == Money(166)
    assert 2 * Money(5) == Money(10)


def test_units_and_sign():
    assert Money(-250).units == -2.5
    assert Money(-250).is_negative
    assert abs(Money(-250)) == Money(250)


def test_equal_amounts_hash_alike():
    assert len({Money(5), Money(5), Money(5, "USD")}) == 2
