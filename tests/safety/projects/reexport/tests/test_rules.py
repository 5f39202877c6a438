from tally import MaxAmount, Money, RequireMemo, Rule, RuleSet, Transaction


def _sale(memo="sale", cents=100):
    return Transaction(memo).debit("cash", Money(cents)).credit("sales", Money(cents))


def test_the_base_rule_accepts_everything():
    assert Rule()(_sale()) == []
    assert repr(Rule()) == "<rule>"


def test_max_amount_names_each_large_entry():
    assert MaxAmount(Money(50))(_sale(cents=60)) == ["max-amount: cash 0.60 EUR", "max-amount: sales -0.60 EUR"]


def test_max_amount_allows_the_limit_itself():
    assert MaxAmount(Money(60)).run(_sale(cents=60)) == []


def test_memos_must_be_long_enough():
    assert RequireMemo()(_sale(memo="  ab ")) == ["require-memo: memo shorter than 3"]
    assert RequireMemo()(_sale(memo="abc")) == []


def test_a_rule_set_runs_every_rule():
    rules = RuleSet(RequireMemo(), MaxAmount(Money(10)))
    assert len(rules) == 2
    assert [rule.name for rule in rules] == ["require-memo", "max-amount"]
    assert len(rules(_sale(memo="x", cents=20))) == 3
