"""Amounts of money as integer cents, so that sums never drift."""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_CURRENCY = "EUR"
CENTS = 100


class CurrencyMismatch(ValueError):
    """Amounts in different currencies were combined."""


class Money:
    __slots__ = ("cents", "currency")

    def __init__(self, cents: int, currency: str = DEFAULT_CURRENCY) -> None:
        self.cents = cents
        self.currency = currency

    @classmethod
    def parse(cls, text: str) -> Money:
        amount, _, currency = text.strip().partition(" ")
        whole, _, frac = amount.partition(".")
        sign = -1 if whole.startswith("-") else 1
        cents = abs(int(whole)) * CENTS + int((frac + "00")[:2])
        return cls(sign * cents, currency or DEFAULT_CURRENCY)

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(0, currency)

    @staticmethod
    def check_same(a: Money, b: Money) -> None:
        if a.currency != b.currency:
            raise CurrencyMismatch(f"{a.currency} vs {b.currency}")

    @property
    def units(self) -> float:
        return self.cents / CENTS

    @property
    def is_negative(self) -> bool:
        return self.cents < 0

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Split into shares proportional to ``ratios``; leftover cents go to the first shares."""
        total = sum(ratios)
        shares = [self.cents * r // total for r in ratios]
        for i in range(self.cents - sum(shares)):
            shares[i] += 1
        return [Money(share, self.currency) for share in shares]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.cents == other.cents and self.currency == other.currency

    def __hash__(self) -> int:
        return hash((self.cents, self.currency))

    def __lt__(self, other: Money) -> bool:
        self.check_same(self, other)
        return self.cents < other.cents

    def __le__(self, other: Money) -> bool:
        return self == other or self < other

    def __add__(self, other: Money) -> Money:
        self.check_same(self, other)
        return Money(self.cents + other.cents, self.currency)

    def __radd__(self, other: object) -> Money:
        if other == 0:
            return self
        if not isinstance(other, Money):
            return NotImplemented
        return other + self

    def __sub__(self, other: Money) -> Money:
        self.check_same(self, other)
        return Money(self.cents - other.cents, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.cents, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.cents), self.currency)

    def __mul__(self, factor: float) -> Money:
        return Money(round(self.cents * factor), self.currency)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"Money({self.cents}, {self.currency!r})"

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        whole, frac = divmod(abs(self.cents), CENTS)
        return f"{sign}{whole}.{frac:02d} {self.currency}"
