"""The data behind the item routes; each request carries its own store."""

from __future__ import annotations

from dataclasses import dataclass, field

SEED = {1: ("kettle", 2500), 2: ("teapot", 1800), 3: ("mug", 450)}


@dataclass
class Store:
    items: dict[int, tuple[str, int]] = field(default_factory=lambda: dict(SEED))

    def add(self, name: str, price: int) -> int:
        key = max(self.items, default=0) + 1
        self.items[key] = (name, price)
        return key

    def cheaper_than(self, limit: int) -> list[str]:
        return [name for name, price in self.items.values() if price < limit]
