from decimal import Decimal

VAT = Decimal("0.20")


def with_vat(amount: Decimal) -> Decimal:
    return (amount * (1 + VAT)).quantize(Decimal("0.01"))


def discount(amount: Decimal, percent: int) -> Decimal:
    if not 0 <= percent <= 100:
        raise ValueError("percent must be between 0 and 100")
    return (amount * (100 - percent) / 100).quantize(Decimal("0.01"))
