"""Accounting periods: runs of months, which may cross a year end."""

from __future__ import annotations

from collections.abc import Iterator

MONTHS_PER_QUARTER = 3
FISCAL_START = 1


class Period:
    def __init__(self, year: int, first_month: int = 1, months: int = 12) -> None:
        if not 1 <= first_month <= 12:
            raise ValueError(f"no month {first_month}")
        self.year = year
        self.first_month = first_month
        self.months = months

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        return cls(year, (number - 1) * MONTHS_PER_QUARTER + 1, MONTHS_PER_QUARTER)

    @classmethod
    def whole_year(cls, year: int) -> Period:
        return cls(year)

    @property
    def last(self) -> tuple[int, int]:
        *_, last = self
        return last

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for offset in range(self.months):
            index = self.first_month - 1 + offset
            yield self.year + index // 12, index % 12 + 1

    def __len__(self) -> int:
        return self.months

    def __contains__(self, month: object) -> bool:
        return month in list(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.year, self.first_month, self.months) == (other.year, other.first_month, other.months)

    def __hash__(self) -> int:
        return hash((self.year, self.first_month, self.months))


def fiscal_quarter(month: int, start: int = FISCAL_START) -> int:
    return (month - start) % 12 // MONTHS_PER_QUARTER + 1
