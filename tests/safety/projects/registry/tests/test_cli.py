import pytest

from hookapp.cli import USAGE, run


def test_no_arguments_prints_usage():
    assert run([]) == USAGE


@pytest.mark.parametrize(
    ("argv", "output"),
    [
        (["greet", "Ada"], "Hello, Ada!"),
        (["greet", "Ada", "?"], "Hello, Ada?"),
        (["add", "2", "3", "4"], "9"),
        (["sub", "10", "3", "2"], "5"),
        (["shout", "hey"], "HEY!"),
        (["count", "a bb ccc", "2"], "2"),
    ],
)
def test_commands_by_name(argv, output):
    assert run(argv) == output


def test_unknown_commands_list_the_known_ones():
    assert run(["nope"]) == "unknown command 'nope'; try one of: add, count, greet, shout, sub"


def test_shouting_more_than_once():
    assert run(["shout", "go", "3"]) == "GO!!!"
