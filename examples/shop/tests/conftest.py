import pytest

from shop.inventory import Inventory


@pytest.fixture
def inventory() -> Inventory:
    return Inventory({"apple": 10, "pear": 2})
