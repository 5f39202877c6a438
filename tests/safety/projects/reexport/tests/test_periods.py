import pytest

from tally import Period, fiscal_quarter


def test_a_year_has_twelve_months():
    year = Period.whole_year(2024)
    assert len(year) == 12
    assert year.last == (2024, 12)


def test_quarters():
    q3 = Period.quarter(2024, 3)
    assert list(q3) == [(2024, 7), (2024, 8), (2024, 9)]
    assert q3 == Period(2024, 7, 3)


def test_periods_cross_the_year_end():
    winter = Period(2024, 11, 4)
    assert winter.last == (2025, 2)
    assert (2025, 1) in winter
    assert (2024, 10) not in winter


def test_invalid_months_are_refused():
    with pytest.raises(ValueError):
        Period(2024, 13)


@pytest.mark.parametrize(("month", "start", "quarter"), [(1, 1, 1), (6, 1, 2), (12, 1, 4), (3, 4, 4), (4, 4, 1)])
def test_fiscal_quarter(month, start, quarter):
    assert fiscal_quarter(month, start) == quarter
