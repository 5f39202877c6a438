import pytest

from hookapp.registry import COMMANDS, Registry


def test_registering_keeps_the_function():
    tools = Registry("tool")

    @tools.register("hammer")
    def hammer():
        return "bang"

    assert hammer() == "bang"
    assert tools.get("hammer") is hammer
    assert "hammer" in tools
    assert len(tools) == 1


def test_a_name_registers_once_unless_replaced():
    tools = Registry("tool")
    tools.register("saw")(len)
    with pytest.raises(ValueError, match="tool 'saw' already registered"):
        tools.register("saw")(str)
    tools.register("saw", replace=True)(str)
    assert tools.get("saw") is str


def test_unknown_names_raise_lookup_error():
    with pytest.raises(LookupError, match="no tool named 'drill'"):
        Registry("tool").get("drill")


def test_the_command_registry_is_filled_on_import():
    import hookapp.commands  # noqa: F401

    assert COMMANDS.names() == ["add", "count", "greet", "shout", "sub"]
