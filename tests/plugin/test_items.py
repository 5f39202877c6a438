"""Items that are not plain test functions in ``test_*.py`` files are never silently dropped."""

from __future__ import annotations

from .conftest import Project, nodeids

DOCTEST_MODULES = {
    "pytest.ini": "[pytest]\npythonpath = src\naddopts = --doctest-modules\ntestpaths = src tests\n",
    "src/pkg/__init__.py": "",
    "src/pkg/base.py": "FACTOR = 2\n",
    "src/pkg/calc.py": '''\
        from pkg.base import FACTOR


        def double(x):
            """
            >>> double(2)
            4
            """
            return FACTOR * x
        ''',
    "src/pkg/text.py": '''\
        def shout(s):
            """
            >>> shout("a")
            'A'
            """
            return s.upper()
        ''',
    "tests/test_calc.py": "from pkg.calc import double\n\n\ndef test_double():\n    assert double(1) == 2\n",
}
CALC_DOCTEST = "src/pkg/calc.py::pkg.calc.double"
TEXT_DOCTEST = "src/pkg/text.py::pkg.text.shout"


def test_doctests_of_a_module_run_when_the_module_is_affected(project: Project) -> None:
    project.write(DOCTEST_MODULES)
    assert project.run().ran == {CALC_DOCTEST, TEXT_DOCTEST, "tests/test_calc.py::test_double"}

    project.edit("src/pkg/calc.py", project.path("src/pkg/calc.py").read_text().replace("FACTOR * x", "x * FACTOR"))
    assert project.run().outcomes == {CALC_DOCTEST: "passed", "tests/test_calc.py::test_double": "passed"}

    project.edit("src/pkg/base.py", "FACTOR = 1 + 1\n")
    assert project.run().ran == {CALC_DOCTEST, "tests/test_calc.py::test_double"}

    project.edit("src/pkg/text.py", project.path("src/pkg/text.py").read_text() + "\nLOUD = True\n")
    assert project.run().outcomes == {TEXT_DOCTEST: "passed"}

    assert project.run().ran == set()


def test_new_module_with_a_doctest_runs_it(project: Project) -> None:
    project.write(DOCTEST_MODULES)
    project.run()

    project.write({"src/pkg/extra.py": 'def one():\n    """\n    >>> one()\n    1\n    """\n    return 1\n'})

    assert project.run().outcomes == {"src/pkg/extra.py::pkg.extra.one": "passed"}


DOCTEST_TEXT = {
    "pytest.ini": "[pytest]\naddopts = --doctest-glob=*.rst\ntestpaths = docs tests\n",
    "app.py": "def greet():\n    return 'hi'\n",
    "docs/usage.rst": "Usage\n=====\n\n>>> from app import greet\n>>> greet()\n'hi'\n",
    "docs/limits.rst": "Limits\n======\n\n>>> 1 + 1\n2\n",
    "tests/test_app.py": "from app import greet\n\n\ndef test_greet():\n    assert greet() == 'hi'\n",
}


def test_doctest_text_files_run_when_they_change(project: Project) -> None:
    project.write(DOCTEST_TEXT)
    assert project.run().ran == {"docs/usage.rst::usage.rst", "docs/limits.rst::limits.rst",
                                 "tests/test_app.py::test_greet"}
    assert project.run().ran == set()

    project.edit("docs/limits.rst", "Limits\n======\n\n>>> 2 + 2\n4\n")
    assert project.run().outcomes == {"docs/limits.rst::limits.rst": "passed"}

    project.write({"docs/new.rst": ">>> 3 * 3\n9\n"})
    assert project.run().outcomes == {"docs/new.rst::new.rst": "passed"}


def test_doctest_text_files_of_the_default_glob(project: Project) -> None:
    project.write({
        "docs/test_guide.txt": ">>> 1 + 2\n3\n",
        "docs/test_other.txt": ">>> 2 + 2\n4\n",
        "test_plain.py": "def test_plain():\n    assert True\n",
    })
    project.run()

    project.edit("docs/test_guide.txt", ">>> 1 + 3\n4\n")

    assert project.run().outcomes == {"docs/test_guide.txt::test_guide.txt": "passed"}


def test_custom_python_files_pattern(project: Project) -> None:
    project.ini("python_files = check_*.py", "testpaths = checks")
    project.write({
        "api.py": "def ping():\n    return 'pong'\n",
        "checks/check_api.py": "from api import ping\n\n\ndef test_ping():\n    assert ping() == 'pong'\n",
        "checks/check_misc.py": "def test_misc():\n    assert True\n",
    })
    assert project.run().ran == {"checks/check_api.py::test_ping", "checks/check_misc.py::test_misc"}

    project.edit("api.py", "def ping():\n    return 'po' + 'ng'\n")
    assert project.run().outcomes == {"checks/check_api.py::test_ping": "passed"}

    project.write({"checks/check_new.py": "def test_new():\n    assert True\n"})
    assert project.run().ran == {"checks/check_new.py::test_new"}


def spec_collector(suffix: str) -> str:
    """A conftest collecting ``test*<suffix>`` files of ``name: ok`` lines, one item a line."""
    return f'''\
import pytest


def pytest_collect_file(parent, file_path):
    if file_path.suffix == "{suffix}" and file_path.name.startswith("test"):
        return SpecFile.from_parent(parent, path=file_path)


class SpecFile(pytest.File):
    def collect(self):
        for line in self.path.read_text().splitlines():
            name, _, value = line.partition(":")
            yield SpecItem.from_parent(self, name=name.strip(), value=value.strip())


class SpecItem(pytest.Item):
    def __init__(self, *, value, **kwargs):
        super().__init__(**kwargs)
        self.value = value

    def runtest(self):
        assert self.value == "ok"
'''


PYTHON_TESTS = {
    "app.py": "NAME = 'app'\n",
    "tests/test_app.py": "from app import NAME\n\n\ndef test_name():\n    assert NAME == 'app'\n",
    "tests/test_plain.py": "def test_plain():\n    assert True\n",
}
PYTHON_ITEMS = {"tests/test_app.py::test_name", "tests/test_plain.py::test_plain"}


def test_items_of_an_untracked_file_type_run_on_every_run(project: Project) -> None:
    project.ini("delta_data_files = .yaml")  # every file is data by default: track only .yaml
    project.write({**PYTHON_TESTS, "tests/conftest.py": spec_collector(".spec"), "tests/test_api.spec": "get: ok\n"})
    items = nodeids("tests/test_api.spec::get")
    assert project.run().ran == items | PYTHON_ITEMS

    assert project.run().outcomes == dict.fromkeys(items, "passed")

    project.edit("app.py", "NAME = 'a' + 'pp'\n")
    assert project.run().ran == items | {"tests/test_app.py::test_name"}


def test_items_of_a_tracked_data_file_run_when_it_changes(project: Project) -> None:
    project.write({**PYTHON_TESTS, "tests/conftest.py": spec_collector(".yaml"),
                   "tests/test_specs.yaml": "hello: ok\nworld: ok\n"})
    items = nodeids("tests/test_specs.yaml::hello,world")
    assert project.run().ran == items | PYTHON_ITEMS
    assert project.run().ran == set()

    project.edit("app.py", "NAME = 'a' + 'pp'\n")
    assert project.run().ran == {"tests/test_app.py::test_name"}

    # A data file also affects the modules of its directory (they may read it): tests/*.py rerun.
    project.edit("tests/test_specs.yaml", "hello: ok\nworld: ok\nagain: ok\n")
    assert project.run().ran == items | nodeids("tests/test_specs.yaml::again") | PYTHON_ITEMS


def test_edit_of_the_conftest_defining_a_collector_reruns_its_items(project: Project) -> None:
    project.write({**PYTHON_TESTS, "tests/conftest.py": spec_collector(".spec"), "tests/test_api.spec": "get: ok\n"})
    project.run()

    project.append("tests/conftest.py", "\n\nSPEC_VERSION = 2\n")

    assert project.run().ran == nodeids("tests/test_api.spec::get") | PYTHON_ITEMS
