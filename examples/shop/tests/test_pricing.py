from decimal import Decimal

import pytest

from shop.pricing import discount, with_vat


def test_with_vat():
    assert with_vat(Decimal("10.00")) == Decimal("12.00")


def test_discount():
    assert discount(Decimal("50.00"), 10) == Decimal("45.00")


def test_discount_rejects_bad_percent():
    with pytest.raises(ValueError):
        discount(Decimal("1"), 101)
