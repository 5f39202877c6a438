from decimal import Decimal

import pytest

from shop.cart import Cart
from shop.inventory import OutOfStock


def test_total_includes_vat(inventory):
    cart = Cart(inventory)
    cart.add("apple", 2, Decimal("1.50"))
    assert cart.total() == Decimal("3.60")


def test_add_takes_stock(inventory):
    Cart(inventory).add("pear", 2, Decimal("2.00"))
    assert inventory.stock["pear"] == 0


def test_cannot_oversell(inventory):
    with pytest.raises(OutOfStock):
        Cart(inventory).add("pear", 3, Decimal("2.00"))
