from decimal import Decimal

from . import pricing
from .inventory import Inventory


class Cart:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.lines: list[tuple[str, int, Decimal]] = []

    def add(self, sku: str, quantity: int, price: Decimal) -> None:
        self.inventory.take(sku, quantity)
        self.lines.append((sku, quantity, price))

    def total(self) -> Decimal:
        net = sum((price * quantity for _, quantity, price in self.lines), Decimal(0))
        return pricing.with_vat(net)
