from tally import CsvReport, Money, Report, TextReport, Transaction, balance_sheet


def _trade(books):
    books.record(Transaction("capital").debit("bank", Money(10000)).credit("capital", Money(10000)))
    books.record(Transaction("loan").debit("cash", Money(2500)).credit("loan", Money(2500)))


def test_plain_report(books):
    _trade(books)
    lines = Report(books).render().splitlines()
    assert lines[0] == "Report"
    assert "bank: 100.00 EUR" in lines


def test_text_report_aligns_columns(books):
    _trade(books)
    lines = TextReport(books).render().splitlines()
    assert lines[:2] == ["Trial balance", "============="]
    assert lines[2] == "bank            100.00 EUR"


def test_csv_report(books):
    _trade(books)
    assert CsvReport(books).render().splitlines()[:2] == ["account,balance", "bank,100.00 EUR"]


def test_balance_sheet_groups_by_kind(books):
    _trade(books)
    assert balance_sheet(books) == {"asset": Money(12500), "liability": Money(2500), "equity": Money(10000)}
