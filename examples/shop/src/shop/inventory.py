class OutOfStock(Exception):
    pass


class Inventory:
    def __init__(self, stock: dict[str, int] | None = None) -> None:
        self.stock = dict(stock or {})

    def take(self, sku: str, quantity: int) -> None:
        if self.stock.get(sku, 0) < quantity:
            raise OutOfStock(sku)
        self.stock[sku] -= quantity
