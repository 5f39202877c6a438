"""``--delta-precision`` and ``--delta-explain`` in real pytest runs: what each precision runs
after the same edit, what is imported at all, and the reason printed for every selected test."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import PLUGIN_MODULE, PROBE_MODULE, RUN_TIMEOUT_S, DeltaRun, Project, nodeids

#: A re-exporting package: every test file imports ``shop``, and ``shop`` imports every module.
SHOP = {
    "src/shop/__init__.py": """\
        from .cart import total
        from .catalog import find
        from .money import cents
        """,
    "src/shop/money.py": """\
        def cents(price):
            return round(price * 100)
        """,
    "src/shop/cart.py": """\
        from .money import cents


        def total(prices):
            return sum(cents(p) for p in prices)
        """,
    "src/shop/catalog.py": """\
        PRICES = {"apple": 0.5, "pear": 0.75}


        def find(name):
            return PRICES.get(name)
        """,
    "tests/test_money.py": """\
        from shop import cents


        def test_cents():
            assert cents(1.25) == 125
        """,
    "tests/test_cart.py": """\
        import shop


        def test_total():
            assert shop.total([0.5, 0.25]) == 75


        def test_empty():
            assert shop.total([]) == 0
        """,
    "tests/test_catalog.py": """\
        from shop import find


        def test_apple():
            assert find("apple") == 0.5


        def test_unknown():
            assert find("kiwi") is None
        """,
}
INI = ("pythonpath = src", "testpaths = tests")
MONEY_TESTS = nodeids("tests/test_money.py::test_cents")
CART_TESTS = nodeids("tests/test_cart.py::test_total,test_empty")
CATALOG_TESTS = nodeids("tests/test_catalog.py::test_apple,test_unknown")
ALL_TESTS = MONEY_TESTS | CART_TESTS | CATALOG_TESTS
#: ``find`` now misses "apple": test_apple fails, test_unknown still passes.
BREAK_FIND = ("src/shop/catalog.py", "return PRICES.get(name)", "return PRICES.get(name.upper())")


@pytest.fixture
def shop(project: Project) -> Project:
    """The shop after a first, full ``--delta`` run."""
    project.ini(*INI)
    project.write(SHOP)
    assert project.run().outcomes == dict.fromkeys(ALL_TESTS, "passed")
    return project


def replace(project: Project, relpath: str, old: str, new: str) -> None:
    text = project.path(relpath).read_text(encoding="utf-8")
    assert text.count(old) == 1
    project.edit(relpath, text.replace(old, new))


def explained(run: DeltaRun) -> dict[str, str]:
    """``--delta-explain`` lines as node id -> reason (the ``[pytest-delta]`` prefix dropped)."""
    out = {}
    for line in run.debug:
        nodeid, sep, reason = line.partition(" <- ")
        assert sep, f"not an explanation: {line!r}"
        assert nodeid not in out, f"two lines for {nodeid}"
        out[nodeid] = reason
    return out


# -- the two precisions on the same edit -----------------------------------------------------------


def test_file_precision_runs_every_test_of_the_package_and_symbol_precision_only_those_reaching_the_edit(
        shop: Project) -> None:
    replace(shop, *BREAK_FIND)

    by_file = shop.run("--delta-precision", "file", "--delta-no-save")
    by_symbol = shop.run("--delta-no-save")
    explicit = shop.run("--delta-precision", "symbol", "--delta-no-save")

    assert by_file.ran == ALL_TESTS
    assert by_file.with_outcome("failed") == {"tests/test_catalog.py::test_apple"}
    assert by_symbol.ran == CATALOG_TESTS
    assert by_symbol.with_outcome("failed") == {"tests/test_catalog.py::test_apple"}
    assert by_symbol.deselected == MONEY_TESTS | CART_TESTS
    assert explicit.ran == by_symbol.ran


def test_an_edit_reaching_tests_through_other_modules_runs_exactly_those_tests(shop: Project) -> None:
    replace(shop, "src/shop/money.py", "return round(price * 100)", "return int(price * 100)")

    run = shop.run()

    assert run.ran == MONEY_TESTS | CART_TESTS
    assert run.with_outcome("passed") == MONEY_TESTS | CART_TESTS


def test_an_escalated_edit_runs_what_file_precision_runs(shop: Project) -> None:
    """The module body changed: ``find`` reads ``PRICES`` at call time, so nothing narrower is safe."""
    replace(shop, "src/shop/catalog.py", '"apple": 0.5', '"apple": 0.55')

    run = shop.run()

    assert run.ran == ALL_TESTS
    assert run.with_outcome("failed") == {"tests/test_catalog.py::test_apple"}


def test_ini_delta_precision_file_selects_by_file_and_the_command_line_overrides_it(shop: Project) -> None:
    shop.ini(*INI, "delta_precision = file")
    # The ini file is configuration: its own change runs everything once; take that run.
    assert shop.run().ran == ALL_TESTS
    replace(shop, *BREAK_FIND)

    by_ini = shop.run("--delta-no-save")
    overridden = shop.run("--delta-precision", "symbol", "--delta-no-save")

    assert by_ini.ran == ALL_TESTS
    assert overridden.ran == CATALOG_TESTS


def run_expecting_usage_error(project: Project, *args: str) -> pytest.RunResult:
    """A run that stops at configuration: the probe never records it, so read pytest's own output."""
    with project.monkeypatch.context() as env:
        env.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        env.setenv("PYTEST_PLUGINS", PLUGIN_MODULE)
        env.setenv("PYTHONDONTWRITEBYTECODE", "1")
        env.delenv("PYTEST_ADDOPTS", raising=False)
        result = project.pytester.runpytest_subprocess("--delta", *args, timeout=RUN_TIMEOUT_S)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert not project.snapshot.exists(), "a run that did not start must not write a snapshot"
    assert PROBE_MODULE not in result.stdout.str()
    return result


def test_an_invalid_precision_on_the_command_line_is_a_usage_error(project: Project) -> None:
    project.ini(*INI)
    project.write(SHOP)

    result = run_expecting_usage_error(project, "--delta-precision", "function")

    assert "invalid choice: 'function'" in result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_an_invalid_precision_in_the_ini_file_is_a_usage_error(project: Project) -> None:
    project.ini(*INI, "delta_precision = line")
    project.write(SHOP)

    result = run_expecting_usage_error(project)

    assert "delta_precision must be one of symbol, file, not 'line'" in result.stdout.str() + result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


# -- what symbol precision does not even import -------------------------------------------------------


@pytest.fixture
def with_side_effect(shop: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    """``tests/test_side.py`` touches a marker file (outside the project) when it is imported;
    the full run that sets up the snapshot imports it once, and the marker is removed again."""
    marker = tmp_path_factory.mktemp("marker") / "imported"
    shop.write({
        "tests/test_side.py": f"""\
            from pathlib import Path

            import shop

            Path({str(marker)!r}).touch()


            def test_side():
                assert shop.total([]) == 0
            """,
    })
    assert shop.run().ran == {"tests/test_side.py::test_side"}
    assert marker.exists()
    marker.unlink()
    return shop, marker


def test_symbol_precision_does_not_import_test_files_no_test_of_which_is_selected(
        with_side_effect: tuple[Project, Path]) -> None:
    project, marker = with_side_effect
    replace(project, *BREAK_FIND)

    run = project.run("--delta-no-save")

    assert run.ran == CATALOG_TESTS
    assert not marker.exists(), "tests/test_side.py was imported"
    assert "tests/test_side.py::test_side" in run.deselected


def test_file_precision_imports_every_affected_test_file(with_side_effect: tuple[Project, Path]) -> None:
    project, marker = with_side_effect
    replace(project, *BREAK_FIND)

    run = project.run("--delta-precision", "file", "--delta-no-save")

    assert "tests/test_side.py::test_side" in run.ran
    assert marker.exists()


# -- --delta-explain ---------------------------------------------------------------------------------------


def test_explain_prints_one_line_per_selected_test_with_its_chain_of_units(shop: Project) -> None:
    replace(shop, "src/shop/money.py", "return round(price * 100)", "return int(price * 100)")

    run = shop.run("--delta-explain")

    assert explained(run) == {
        "tests/test_money.py::test_cents": "cents (src/shop/money.py, changed)",
        "tests/test_cart.py::test_total": "total (src/shop/cart.py) <- cents (src/shop/money.py, changed)",
        "tests/test_cart.py::test_empty": "total (src/shop/cart.py) <- cents (src/shop/money.py, changed)",
    }
    assert set(explained(run)) == run.ran


def test_explain_of_a_changed_test_names_the_test_itself(shop: Project) -> None:
    replace(shop, "tests/test_cart.py", "shop.total([]) == 0", "shop.total([0]) == 0")

    run = shop.run("--delta-explain")

    assert explained(run) == {"tests/test_cart.py::test_empty": "test_empty (tests/test_cart.py, changed)"}


def test_explain_with_file_precision_gives_the_import_chain_and_why_the_file_counts(shop: Project) -> None:
    replace(shop, *BREAK_FIND)

    run = shop.run("--delta-explain", "--delta-precision", "file", "--delta-no-save")

    via_package = "src/shop/__init__.py <- src/shop/catalog.py (changed)"
    assert explained(run) == {
        "tests/test_money.py::test_cents": via_package,
        "tests/test_cart.py::test_total": via_package,
        "tests/test_cart.py::test_empty": via_package,
        "tests/test_catalog.py::test_apple": via_package,
        "tests/test_catalog.py::test_unknown": via_package,
    }


def test_explain_of_an_escalated_file_gives_the_reason_of_the_escalation(shop: Project) -> None:
    replace(shop, "src/shop/catalog.py", '"apple": 0.5', '"apple": 0.55')

    run = shop.run("--delta-explain")

    reasons = explained(run)
    assert set(reasons) == ALL_TESTS
    assert reasons["tests/test_money.py::test_cents"] == (
        "src/shop/__init__.py <- src/shop/catalog.py (its module body changed)")


def test_explain_of_a_pending_test_says_it_is_pending(shop: Project) -> None:
    replace(shop, *BREAK_FIND)
    assert shop.run().with_outcome("failed") == {"tests/test_catalog.py::test_apple"}

    run = shop.run("--delta-explain")

    assert run.ran == {"tests/test_catalog.py::test_apple"}
    assert explained(run) == {
        "tests/test_catalog.py::test_apple": "pending: failed or not run since its inputs changed"}


def test_without_explain_nothing_is_printed_per_test(shop: Project) -> None:
    replace(shop, *BREAK_FIND)

    run = shop.run("--delta-no-save")

    assert run.debug == []


# -- doctests: items with no unit of their own ------------------------------------------------------------


@pytest.mark.parametrize("precision", ["symbol", "file"])
def test_a_text_doctest_calling_a_changed_function_runs(project: Project, precision: str) -> None:
    """The examples of ``usage.rst`` import ``app``; an edit of ``greet`` breaks them."""
    project.write({
        "pytest.ini": "[pytest]\naddopts = --doctest-glob=*.rst\ntestpaths = docs tests\n",
        "app.py": "def greet():\n    return 'hi'\n\n\ndef shout():\n    return 'HI'\n",
        "docs/usage.rst": "Usage\n=====\n\n>>> from app import greet\n>>> greet()\n'hi'\n",
        "tests/test_app.py": "from app import shout\n\n\ndef test_shout():\n    assert shout() == 'HI'\n",
    })
    assert project.run().ran == {"docs/usage.rst::usage.rst", "tests/test_app.py::test_shout"}
    project.edit("app.py", "def greet():\n    return 'hello'\n\n\ndef shout():\n    return 'HI'\n")

    run = project.run("--delta-precision", precision)

    # File level also runs test_app.py, which imports app; symbol level knows it calls only shout.
    expected = {"docs/usage.rst::usage.rst": "failed"}
    if precision == "file":
        expected["tests/test_app.py::test_shout"] = "passed"
    assert run.outcomes == expected


def test_module_doctests_run_when_a_function_they_call_in_another_module_changes(project: Project) -> None:
    """The example in ``report.py`` calls ``money.cents`` directly: no function of
    ``report.py`` names it (and its docstring is too long for its words to count)."""
    narrative = " ".join(["The report lists every line of the invoice with its price in cents."] * 4)
    project.ini("pythonpath = src", "addopts = --doctest-modules", "testpaths = src tests")
    project.write({
        "src/money.py": "def cents(value):\n    return round(value * 100)\n",
        "src/report.py": f'"""{narrative}\n\n>>> from money import cents\n>>> cents(1.25)\n125\n"""\n'
                         "import money\n\n\ndef title():\n    return 'report'\n",
        "tests/test_report.py": "from report import title\n\n\ndef test_title():\n    assert title() == 'report'\n",
    })
    assert project.run().ran == {"src/report.py::report", "tests/test_report.py::test_title"}
    project.edit("src/money.py", "def cents(value):\n    return int(value * 100) + 1\n")

    run = project.run()

    assert run.outcomes == {"src/report.py::report": "failed"}


# -- edits symbol precision once misread -------------------------------------------------------------


def test_renaming_a_function_another_module_imports_runs_the_tests_that_now_fail_at_import(shop: Project) -> None:
    """``shop/__init__`` imports ``cents``: after the rename every test file fails to import
    ``shop``, although no test calls anything that changed but ``cents``."""
    replace(shop, "src/shop/money.py", "def cents(price):", "def to_cents(price):")

    run = shop.run("--delta-no-save")

    assert run.collect_errors == {"tests/test_money.py", "tests/test_cart.py", "tests/test_catalog.py"}


def test_an_edited_property_getter_runs_its_tests_although_a_setter_shares_its_name(project: Project) -> None:
    project.ini(*INI)
    project.write({
        "src/box.py": """\
            class Box:
                def __init__(self):
                    self._size = 1

                @property
                def size(self):
                    return self._size

                @size.setter
                def size(self, value):
                    self._size = value


            def weight():
                return 2
            """,
        "tests/test_box.py": """\
            from box import Box, weight


            def test_size():
                assert Box().size == 1


            def test_weight():
                assert weight() == 2
            """,
    })
    assert project.run().ran == nodeids("tests/test_box.py::test_size,test_weight")
    replace(project, "src/box.py", "return self._size", "return self._size + 1")

    run = project.run()

    assert run.outcomes == {"tests/test_box.py::test_size": "failed"}


def test_docstring_examples_pytest_does_not_collect_leave_the_edit_precise(project: Project) -> None:
    """Without ``--doctest-modules`` the example in ``money.cents`` never runs: only the tests
    that call ``cents`` run."""
    project.ini(*INI)
    project.write({
        "src/money.py": '''\
            def cents(price):
                """
                >>> cents(1.25)
                125
                """
                return round(price * 100)


            def euros(amount):
                return amount / 100
            ''',
        "tests/test_money.py": """\
            from money import cents, euros


            def test_cents():
                assert cents(1.25) == 125


            def test_euros():
                assert euros(150) == 1.5
            """,
    })
    assert project.run().ran == nodeids("tests/test_money.py::test_cents,test_euros")
    replace(project, "src/money.py", "return round(price * 100)", "return int(price * 100) + 1")

    assert project.run().outcomes == {"tests/test_money.py::test_cents": "failed"}


def test_a_dispatcher_that_looks_functions_up_by_computed_name_runs_for_any_edit(project: Project) -> None:
    """``run("add")`` reaches ``cmd_add`` through ``getattr``: its test runs, the test of an
    untouched function does not."""
    project.ini(*INI)
    project.write({
        "src/commands.py": """\
            import sys


            def cmd_add(a, b):
                return a + b


            def cmd_neg(a):
                return -a


            def run(name, *args):
                return getattr(sys.modules[__name__], "cmd_" + name)(*args)
            """,
        "tests/test_run.py": """\
            from commands import run


            def test_run_add():
                assert run("add", 1, 2) == 3
            """,
        "tests/test_neg.py": """\
            from commands import cmd_neg


            def test_neg():
                assert cmd_neg(1) == -1
            """,
    })
    assert project.run().ran == nodeids("tests/test_run.py::test_run_add") | nodeids("tests/test_neg.py::test_neg")
    replace(project, "src/commands.py", "return a + b", "return a - b")

    assert project.run().outcomes == {"tests/test_run.py::test_run_add": "failed"}


def test_a_test_left_in_a_state_another_function_no_longer_resets_runs(project: Project) -> None:
    """``deactivate`` stops resetting the locale: ``test_german`` passes and leaves German behind,
    so ``test_intcomma`` fails after it, as it does in a full run, though it calls nothing changed."""
    project.ini(*INI)
    project.write({
        "src/fmt/__init__.py": "",
        "src/fmt/i18n.py": """\
            import threading

            _CURRENT = threading.local()


            def activate(locale):
                _CURRENT.locale = locale


            def deactivate():
                _CURRENT.locale = None


            def separator():
                return "," if getattr(_CURRENT, "locale", None) is None else "."
            """,
        "src/fmt/number.py": """\
            from fmt.i18n import separator


            def intcomma(value):
                return f"{value:,}".replace(",", separator())


            def double(value):
                return value * 2
            """,
        "tests/test_i18n.py": """\
            from fmt.i18n import activate, deactivate
            from fmt.number import intcomma


            def test_german():
                activate("de")
                try:
                    assert intcomma(1000) == "1.000"
                finally:
                    deactivate()
            """,
        "tests/test_number.py": """\
            from fmt.number import double, intcomma


            def test_intcomma():
                assert intcomma(1000) == "1,000"


            def test_double():
                assert double(2) == 4
            """,
    })
    assert project.run().with_outcome("passed") == nodeids("tests/test_i18n.py::test_german",
                                                           "tests/test_number.py::test_intcomma,test_double")
    replace(project, "src/fmt/i18n.py", "_CURRENT.locale = None", "pass")

    run = project.run()

    assert run.outcomes == {"tests/test_i18n.py::test_german": "passed",
                            "tests/test_number.py::test_intcomma": "failed"}


# -- code that reads source positions -------------------------------------------------------------

POSITIONS = {
    "src/lib.py": """\
        import warnings


        def helper():
            return 1


        def noisy():
            warnings.warn("careful")
            return 2
        """,
    "tests/test_lib.py": """\
        import inspect
        import warnings

        import lib


        def test_helper():
            assert lib.helper() == 1


        def test_warns_at_its_line():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                lib.noisy()
            assert caught[0].lineno == 9


        def test_knows_its_own_line():
            assert inspect.currentframe().f_lineno == 19
        """,
    "tests/test_other.py": """\
        import lib


        def test_noisy_returns():
            assert lib.noisy() == 2
        """,
}


@pytest.mark.parametrize(("relpath", "old", "new", "fails"), [
    ("src/lib.py", "    return 1", "    one = 1\n    return one", "test_warns_at_its_line"),
    ("tests/test_lib.py", "    assert lib.helper() == 1", "    one = lib.helper()\n    assert one == 1",
     "test_knows_its_own_line"),
], ids=["library-edit-moves-a-warning", "test-edit-moves-another-test"])
def test_an_edit_that_moves_lines_runs_the_tests_that_read_line_numbers(
        project: Project, relpath: str, old: str, new: str, fails: str) -> None:
    """The edit changes ``helper`` (or ``test_helper``) only, but shifts the lines below it:
    tests that read a warning's or a frame's line number fail in a full run, so they run;
    ``test_noisy_returns`` reads none."""
    project.ini(*INI)
    project.write(POSITIONS)
    assert project.run().with_outcome("passed") == nodeids(
        "tests/test_lib.py::test_helper,test_warns_at_its_line,test_knows_its_own_line",
        "tests/test_other.py::test_noisy_returns")
    replace(project, relpath, old, new)

    run = project.run("--delta-explain")

    assert run.ran == nodeids("tests/test_lib.py::test_helper,test_warns_at_its_line,test_knows_its_own_line")
    assert run.with_outcome("failed") == {f"tests/test_lib.py::{fails}"}
    assert "reads source positions" in explained(run)[f"tests/test_lib.py::{fails}"]


def test_an_override_the_standard_library_calls_below_a_project_base_runs_its_tests(project: Project) -> None:
    """``logging`` calls ``format`` on ``UpperFormatter`` (whose framework base is one project
    class up), and ``greeting`` uses an unrelated ``str.format``: the log test still runs."""
    project.ini(*INI)
    project.write({
        "src/fmt.py": """\
            import logging


            class BaseFormatter(logging.Formatter):
                pass


            class UpperFormatter(BaseFormatter):
                def format(self, record):
                    return record.getMessage().upper()


            def greeting(name):
                return "hello {}".format(name)
            """,
        "tests/test_fmt.py": """\
            import io
            import logging

            from fmt import UpperFormatter, greeting


            def test_upper_log_line():
                out = io.StringIO()
                handler = logging.StreamHandler(out)
                handler.setFormatter(UpperFormatter())
                log = logging.getLogger("t")
                log.addHandler(handler)
                log.warning("hi")
                assert out.getvalue() == "HI\\n"


            def test_greeting():
                assert greeting("bob") == "hello bob"
            """,
    })
    assert project.run().with_outcome("passed") == nodeids("tests/test_fmt.py::test_upper_log_line,test_greeting")
    replace(project, "src/fmt.py", "getMessage().upper()", "getMessage().lower()")

    assert project.run().with_outcome("failed") == {"tests/test_fmt.py::test_upper_log_line"}
