from tally import Money, Transaction


def test_debits_and_credits_balance():
    txn = Transaction("sale").debit("cash", Money(1000)).credit("sales", Money(1000))
    assert txn.is_balanced()
    assert txn.total() == Money(0)


def test_a_one_sided_transaction_is_unbalanced():
    assert not Transaction("gift").debit("cash", Money(5)).is_balanced()


def test_an_empty_transaction_is_not_balanced():
    assert not Transaction().is_balanced()


def test_entries_know_their_side():
    debit, credit = Transaction().debit("cash", Money(5)).credit("sales", Money(5))
    assert debit.is_debit
    assert not credit.is_debit


def test_adding_transactions_joins_entries_and_memos():
    joined = Transaction("a").debit("cash", Money(1)) + Transaction("b").credit("sales", Money(1))
    assert joined.memo == "a + b"
    assert len(joined) == 2
    assert joined.currency == "EUR"
