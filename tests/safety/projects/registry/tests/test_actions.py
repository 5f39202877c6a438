import pytest

from hookapp.actions import dispatch


def test_add():
    assert dispatch("add", 2, 3) == 5


def test_scale_has_a_default_factor():
    assert dispatch("scale", 4) == 40
    assert dispatch("scale", 4, 3) == 12


@pytest.mark.parametrize(("value", "clamped"), [(-5, 0), (50, 50), (500, 100)])
def test_clamp(value, clamped):
    assert dispatch("clamp", value) == clamped


def test_unknown_actions():
    with pytest.raises(LookupError):
        dispatch("explode")
