import pytest

from hookapp import settings


def test_defaults_are_attributes():
    assert settings.page_size == 20
    assert settings.theme == "light"


def test_derived_settings():
    assert settings.timeout == 15


def test_unknown_settings():
    with pytest.raises(AttributeError):
        settings.colour  # noqa: B018


def test_describe_lists_everything():
    assert settings.describe() == ["page_size=20", "theme=light", "retries=3", "timeout=15"]
