"""Sales tax: a standard rate and reduced rates per category."""

from __future__ import annotations

from functools import lru_cache

from .money import Money

STANDARD_RATE = 0.20
REDUCED = {"books": 0.05, "food": 0.10}


@lru_cache(maxsize=32)
def tax_rate(category: str) -> float:
    return REDUCED.get(category, STANDARD_RATE)


class TaxTable:
    def __init__(self, standard: float = STANDARD_RATE, reduced: dict[str, float] | None = None) -> None:
        self.standard = standard
        self.reduced = dict(REDUCED if reduced is None else reduced)

    def rate_for(self, category: str) -> float:
        return self.reduced.get(category, self.standard)

    def tax(self, amount: Money, category: str = "general") -> Money:
        return amount * self.rate_for(category)

    def gross(self, amount: Money, category: str = "general") -> Money:
        return amount + self.tax(amount, category)

    @staticmethod
    def percent(rate: float) -> str:
        return f"{rate * 100:.1f}%"
