from shop.report import render


def test_text_report():
    assert render("text", ["a", "b"]) == "- a\n- b"
