"""Interest arithmetic on Money."""

from __future__ import annotations

from .money import Money


def simple_interest(principal: Money, rate: float = 0.05, years: int = 1) -> Money:
    return principal * (rate * years)


def compound(principal: Money, rate: float = 0.05, years: int = 1, periods: int = 12) -> Money:
    factor = (1 + rate / periods) ** (periods * years)
    return principal * factor - principal


def monthly_payment(principal: Money, annual_rate: float = 0.06, months: int = 12) -> Money:
    if annual_rate == 0:
        return principal * (1 / months)
    monthly = annual_rate / 12
    return principal * (monthly / (1 - (1 + monthly) ** -months))
