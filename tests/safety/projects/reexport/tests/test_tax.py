from tally import Money, TaxTable, tax_rate


def test_standard_and_reduced_rates():
    assert tax_rate("books") == 0.05
    assert tax_rate("tools") == 0.20


def test_tax_on_an_amount():
    assert TaxTable().tax(Money(1000), "food") == Money(100)


def test_gross_adds_the_standard_tax_by_default():
    assert TaxTable().gross(Money(1000)) == Money(1200)


def test_a_table_with_its_own_rates():
    table = TaxTable(standard=0.25, reduced={"books": 0.0})
    assert table.rate_for("books") == 0.0
    assert table.gross(Money(400), "music") == Money(500)


def test_rates_print_as_percentages():
    assert TaxTable.percent(0.075) == "7.5%"
