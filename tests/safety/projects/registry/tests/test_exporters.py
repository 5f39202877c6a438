from hookapp.exporters import export, row_count

ROWS = [["name", "qty"], ["pen", 2], ["ink", 10]]


def test_csv():
    assert export("csv", ROWS) == "name,qty\npen,2\nink,10"


def test_tsv():
    assert export("tsv", ROWS[:2]) == "name\tqty\npen\t2"


def test_markdown_has_a_rule_under_the_header():
    assert export("md", ROWS) == "| name | qty |\n|---|---|\n| pen | 2 |\n| ink | 10 |"


def test_empty_markdown():
    assert export("md", []) == ""


def test_transforms_apply_in_order():
    assert export("csv", [[" a", "b "]], "upper", "strip") == "A,B"


def test_row_count():
    assert row_count("tsv", ROWS) == 3
