"""What ``pytest --delta`` runs when something other than Python source changes: a configuration
file, a data file, the interpreter or an installed distribution; and what ``--delta-since REF``
selects from what git says a branch changed.

Shard merging (``pytest-delta merge`` followed by a run that selects exactly the pending tests)
is covered by ``test_merge_cli.py``.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import subprocess
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from pytest_delta.engine import load_snapshot, save_snapshot
from pytest_delta.engine.environment import python_description

from .conftest import Project, nodeids

#: Generous: git on a loaded CI machine.
GIT_TIMEOUT_S = 60

#: Two top-level test directories; ``src/app`` with templates beside its modules; data files in
#: ``tests/data`` (read by no test), in ``assets/`` (a directory without Python, whose files two
#: tests name by string literal) and at the root.
TESTPATHS = "testpaths = tests integration"
PROJECT = {
    "src/app/__init__.py": "",
    "src/app/views.py": """\
        def title(name):
            return name.title()
        """,
    "src/app/templates/x.html": "<h1>{{ title }}</h1>\n",
    "src/lib/__init__.py": "",
    "src/lib/calc.py": """\
        def double(x):
            return 2 * x
        """,
    "tests/test_views.py": """\
        from app.views import title


        def test_title():
            assert title("shop") == "Shop"


        def test_title_of_two_words():
            assert title("corner shop") == "Corner Shop"
        """,
    "tests/test_calc.py": """\
        from lib.calc import double


        def test_double():
            assert double(2) == 4
        """,
    "tests/unit/test_deep.py": """\
        from lib.calc import double


        def test_double_zero():
            assert double(0) == 0
        """,
    "tests/test_prices.py": """\
        from pathlib import Path

        ROOT = Path(__file__).resolve().parents[1]


        def test_price_list_has_a_header():
            assert (ROOT / "assets/prices.csv").read_text().startswith("sku,")
        """,
    "tests/data/cart.json": '{"items": [1, 2]}\n',
    "tests/data/old.csv": "a,b\n1,2\n",
    "integration/test_flow.py": """\
        from lib.calc import double


        def test_flow():
            assert double(double(1)) == 4
        """,
    "integration/test_report.py": """\
        from pathlib import Path

        HERE = Path(__file__).resolve().parent


        def test_report_has_a_title():
            assert (HERE / "../assets/report.md").read_text().startswith("# ")
        """,
    "assets/prices.csv": "sku,price\napple,50\n",
    "assets/report.md": "# Report\n",
    "README.md": "# Demo shop\n",
}

VIEWS_TESTS = nodeids("tests/test_views.py::test_title,test_title_of_two_words")
CALC_TESTS = nodeids("tests/test_calc.py::test_double", "tests/unit/test_deep.py::test_double_zero",
                     "integration/test_flow.py::test_flow")
PRICES_TEST = nodeids("tests/test_prices.py::test_price_list_has_a_header")
REPORT_TEST = nodeids("integration/test_report.py::test_report_has_a_title")
#: Every test under ``tests/``, subdirectories included.
TESTS_DIR = VIEWS_TESTS | PRICES_TEST | nodeids("tests/test_calc.py::test_double",
                                                "tests/unit/test_deep.py::test_double_zero")
ALL_TESTS = VIEWS_TESTS | CALC_TESTS | PRICES_TEST | REPORT_TEST


def start(project: Project, *ini: str, files: Mapping[str, str] | None = None,
          pythonpath: str = "src") -> Project:
    """The project after a first, full ``--delta`` run, with ``ini`` lines in its ``pytest.ini``."""
    project.ini(f"pythonpath = {pythonpath}", TESTPATHS, *ini)
    project.write({**PROJECT, **(files or {})})
    first = project.run()
    assert first.ran >= ALL_TESTS, first.text
    assert first.with_outcome("passed") == first.ran, first.text
    return project


@pytest.fixture
def demo(project: Project) -> Project:
    return start(project)


# -- configuration -------------------------------------------------------------------------------

CONFIG_FILES = {
    "pyproject.toml": '[project]\nname = "demo"\n',
    "tox.ini": "[tox]\nenv_list = py311\n",
    "setup.cfg": "[metadata]\nname = demo\n",
    "requirements-dev.txt": "pytest\n",
    ".coveragerc": "[run]\nbranch = true\n",
}


@pytest.mark.parametrize("config_file", ["pyproject.toml", "pytest.ini", "tox.ini", "setup.cfg",
                                         "requirements-dev.txt", ".coveragerc"])
def test_edit_of_a_file_that_configures_the_run_runs_every_test(project: Project, config_file: str) -> None:
    start(project, files=CONFIG_FILES)
    project.append(config_file, "# touched\n")

    run = project.run("--delta-debug")

    assert run.ran == ALL_TESTS
    assert f"Running all tests: configuration changed ({config_file})" in run.debug, run.debug
    assert run.summaries == [f"delta: configuration changed ({config_file}); running all {len(ALL_TESTS)} tests"]


def test_file_matching_a_delta_global_files_glob_runs_every_test(project: Project) -> None:
    start(project, "delta_global_files = *.env", files={"ci/test.env": "SHOP_REGION=eu\n"})
    project.edit("ci/test.env", "SHOP_REGION=us\n")

    run = project.run("--delta-debug")

    assert run.ran == ALL_TESTS
    assert "Running all tests: configuration changed (ci/test.env)" in run.debug, run.debug


def test_a_delta_global_files_glob_with_a_directory_matches_paths(project: Project) -> None:
    """``deploy/*.env`` names files of one directory: ``deploy/prod.env`` configures the run,
    ``ci/prod.env`` (same name, another directory) does not."""
    start(project, "delta_global_files = deploy/*.env",
          files={"deploy/prod.env": "SHOP_REGION=eu\n", "ci/prod.env": "SHOP_REGION=eu\n"})
    project.edit("ci/prod.env", "SHOP_REGION=us\n")
    assert project.run().ran == set()
    project.edit("deploy/prod.env", "SHOP_REGION=us\n")

    run = project.run("--delta-debug")

    assert run.ran == ALL_TESTS
    assert "Running all tests: configuration changed (deploy/prod.env)" in run.debug, run.debug


def test_files_matching_no_configuration_glob_are_not_configuration(project: Project) -> None:
    """Without the glob, the same file is nothing to delta: editing it runs no test."""
    start(project, files={"ci/test.env": "SHOP_REGION=eu\n"})
    project.edit("ci/test.env", "SHOP_REGION=us\n")

    assert project.run().ran == set()


# -- data files ----------------------------------------------------------------------------------


def test_edit_of_a_data_file_runs_the_tests_of_its_directory_and_below(demo: Project) -> None:
    demo.edit("tests/data/cart.json", '{"items": [1, 2, 3]}\n')

    run = demo.run()

    assert run.ran == TESTS_DIR  # not integration/: another top-level test directory


def test_edit_of_a_template_runs_the_tests_that_import_its_package(demo: Project) -> None:
    demo.edit("src/app/templates/x.html", "<h1 class='title'>{{ title }}</h1>\n")

    assert demo.run().ran == VIEWS_TESTS


def test_new_data_file_runs_the_tests_of_its_directory(demo: Project) -> None:
    demo.write({"tests/data/coupons.yaml": "spring: 10\n"})

    assert demo.run().ran == TESTS_DIR


def test_deleted_data_file_runs_the_tests_of_its_directory(demo: Project) -> None:
    demo.delete("tests/data/old.csv")

    assert demo.run().ran == TESTS_DIR


def test_edit_of_a_root_readme_that_no_test_names_runs_nothing(demo: Project) -> None:
    demo.edit("README.md", "# Demo shop\n\nNow with coupons.\n")

    run = demo.run()

    assert run.ret == 0
    assert run.ran == set()


@pytest.mark.parametrize(("data_file", "affected"), [
    ("src/app/locale/de/LC_MESSAGES/app.mo", "views"),
    ("src/app/templates/page.j2", "views"),
    ("tests/data/expected_output", "tests"),
    ("tests/__snapshots__/test_views.ambr", "tests"),
], ids=["gettext-catalog", "template", "no-suffix", "snapshot"])
def test_edit_of_a_data_file_of_any_kind_runs_the_tests_of_its_directory(
        project: Project, data_file: str, affected: str) -> None:
    start(project, files={data_file: "one\n"})
    project.edit(data_file, "two\n")

    assert project.run().ran == (VIEWS_TESTS if affected == "views" else TESTS_DIR)


def test_bytecode_and_editor_backups_are_no_data(project: Project) -> None:
    start(project)
    project.write({"tests/data/cart.json~": "{}\n", "tests/data/.cart.json.swp": "x", "tests/calc.cpython-311.pyc": "x",
                   "tests/data/cart.json.orig": "{}\n"})

    assert project.run().ran == set()


#: A root conftest.py reaches every test; this one reads no file.
ROOT_CONFTEST = {"conftest.py": "import pytest\n"}


def test_docs_edits_beside_a_root_conftest_that_reads_no_file_run_nothing(project: Project) -> None:
    start(project, files=ROOT_CONFTEST)
    project.edit("README.md", "# Demo shop\n\nNow with coupons.\n")
    project.write({"docs/guide.md": "# Guide\n", "mkdocs.yml": "site_name: demo\n"})

    run = project.run()

    assert run.ret == 0
    assert run.ran == set()


@pytest.mark.parametrize("reads", [
    'README = open("README.md").read()',
    'import pathlib\nPAGES = sorted(pathlib.Path(__file__).parent.glob("*.md"))',
], ids=["names-it", "lists-files"])
def test_a_root_edit_runs_every_test_when_the_root_conftest_may_read_it(project: Project, reads: str) -> None:
    start(project, files={"conftest.py": reads + "\n"})
    project.edit("README.md", "# Demo shop\n\nNow with coupons.\n")

    assert project.run().ran == ALL_TESTS


def test_reports_a_run_writes_into_the_tree_are_no_change_for_the_next_run(project: Project) -> None:
    """``--junitxml``'s file, coverage.py's reports and build metadata are rewritten by runs and
    installs; beside a root conftest.py, tracking them would run every test every time."""
    start(project, files=ROOT_CONFTEST)

    for _ in range(2):
        run = project.run("--junitxml=reports/junit.xml")
        assert run.ret == 0
        assert run.ran == set()
        project.write({
            "coverage.xml": f"<coverage lines-valid='{_}'/>\n",
            "htmlcov/index.html": f"<p>{_}</p>\n",
            "src/demo.egg-info/SOURCES.txt": f"src/app/views.py\n{_}\n",
        })

    assert project.run().ran == set()


def test_data_file_named_by_a_literal_relative_to_the_rootdir_runs_that_test(demo: Project) -> None:
    demo.edit("assets/prices.csv", "sku,price\napple,55\n")

    assert demo.run().ran == PRICES_TEST


def test_data_file_named_by_a_literal_relative_to_the_module_runs_that_test(demo: Project) -> None:
    demo.edit("assets/report.md", "# Report\n\nQ3 figures.\n")

    assert demo.run().ran == REPORT_TEST


def test_delta_data_files_restricts_the_tracked_suffixes(project: Project) -> None:
    start(project, "delta_data_files = .yaml", files={"tests/data/coupons.yaml": "spring: 10\n"})

    project.edit("tests/data/cart.json", '{"items": []}\n')
    assert project.run().ran == set()  # .json is no longer a data file

    project.edit("tests/data/coupons.yaml", "spring: 15\n")
    assert project.run().ran == TESTS_DIR


def test_empty_delta_data_files_tracks_no_data_file(project: Project) -> None:
    start(project, "delta_data_files =", files={"tests/data/coupons.yaml": "spring: 10\n"})

    project.edit("tests/data/cart.json", '{"items": []}\n')
    project.edit("tests/data/coupons.yaml", "spring: 15\n")
    project.edit("assets/prices.csv", "sku,price\napple,55\n")
    assert project.run().ran == set()

    project.edit("src/lib/calc.py", "def double(x):\n    return x + x\n")
    assert project.run().ran == CALC_TESTS  # Python files are still tracked


# -- the environment -----------------------------------------------------------------------------


def rewrite_recorded_environment(project: Project, change: Callable[[dict[str, Any]], None]) -> None:
    """Make the snapshot look as if it was written in another environment.

    Its fingerprint (the mtimes of the ``sys.path`` directories holding distribution metadata)
    is dropped as well: a real install or upgrade moves one of those mtimes, which is what makes
    the next run read the metadata again.
    """
    snapshot = load_snapshot(project.snapshot)
    assert snapshot is not None
    environment = dict(snapshot.meta["environment"])
    change(environment)
    environment["fingerprint"] = None
    save_snapshot(project.snapshot, dataclasses.replace(snapshot, meta={**snapshot.meta, "environment": environment}))


def recorded_version(name: str, version: str) -> Callable[[dict[str, Any]], None]:
    def change(environment: dict[str, Any]) -> None:
        assert name in environment["distributions"], sorted(environment["distributions"])
        environment["distributions"] = {**environment["distributions"], name: version}
    return change


def recorded_python(python: str) -> Callable[[dict[str, Any]], None]:
    def change(environment: dict[str, Any]) -> None:
        environment["python"] = python
    return change


def test_another_interpreter_runs_every_test_and_says_why(demo: Project) -> None:
    rewrite_recorded_environment(demo, recorded_python("cpython 3.0.1"))

    run = demo.run("--delta-debug")

    assert run.ran == ALL_TESTS
    why = f"python changed: cpython 3.0.1 -> {python_description()}"
    assert run.summaries == [f"delta: {why}; running all {len(ALL_TESTS)} tests"]
    assert f"  environment: {why}" in run.debug, run.debug
    assert demo.run().ran == set()  # the new snapshot records this interpreter


def test_interpreter_change_without_any_file_change_still_collects(demo: Project) -> None:
    """Regression: the "nothing to run" shortcut once looked only at changed files, so a run
    that had decided to run everything skipped collection and ran nothing."""
    rewrite_recorded_environment(demo, recorded_python("cpython 3.0.1"))

    run = demo.run()

    assert run.items is not None, "collection was skipped"
    assert set(run.items) == ALL_TESTS
    assert run.ran == ALL_TESTS


def test_interpreter_change_without_any_file_change_runs_every_test_under_xdist(demo: Project) -> None:
    """The same decision taken by each xdist worker, which collects for itself."""
    pytest.importorskip("xdist")
    rewrite_recorded_environment(demo, recorded_python("cpython 3.0.1"))

    run = demo.run("-n", "2", plugins=("xdist.plugin",))

    assert run.ran == ALL_TESTS


#: A tiny distribution installed in a ``site-packages`` directory of the project (on the
#: ``pythonpath``; delta never tracks files in a directory of that name), as pip lays it out.
TINYLIB_PATH = "src site-packages"


def tinylib(version: str) -> dict[str, str]:
    info = f"tinylib-{version}.dist-info"
    return {
        "site-packages/tinylib/__init__.py": f"VERSION = {version!r}\n",
        f"site-packages/{info}/METADATA": f"Metadata-Version: 2.1\nName: tinylib\nVersion: {version}\n",
        f"site-packages/{info}/RECORD": f"tinylib/__init__.py,,\n{info}/METADATA,,\n{info}/RECORD,,\n",
        f"site-packages/{info}/INSTALLER": "pip\n",
    }


TINYLIB_USERS = {
    "src/lib/fmt.py": """\
        import tinylib


        def banner():
            return "tinylib " + tinylib.VERSION
        """,
    "tests/test_tiny.py": """\
        import tinylib


        def test_tinylib_version():
            assert tinylib.VERSION.startswith("1.")
        """,
    "integration/test_banner.py": """\
        from lib.fmt import banner


        def test_banner():
            assert banner().startswith("tinylib 1.")
        """,
}
TINYLIB_TESTS = nodeids("tests/test_tiny.py::test_tinylib_version", "integration/test_banner.py::test_banner")


def upgrade_tinylib(project: Project) -> None:
    """Replace tinylib 1.0 with 1.1, as ``pip install --upgrade`` does."""
    project.delete("site-packages/tinylib-1.0.dist-info")
    project.write(tinylib("1.1"))


def test_upgraded_distribution_runs_exactly_the_tests_whose_imports_reach_it(project: Project) -> None:
    start(project, pythonpath=TINYLIB_PATH, files={**tinylib("1.0"), **TINYLIB_USERS})
    assert project.run().ran == set()  # the environment as recorded: nothing to run

    upgrade_tinylib(project)
    run = project.run("--delta-debug")

    assert run.ran == TINYLIB_TESTS  # directly, and through src/lib/fmt.py
    assert run.with_outcome("passed") == TINYLIB_TESTS
    assert "  environment: tinylib 1.0 -> 1.1" in run.debug, run.debug
    assert project.run().ran == set()


def test_debug_names_each_file_an_upgraded_distribution_affects(project: Project) -> None:
    """README, "The environment": ``--delta-debug`` names each file the upgrade affects, in the form
    ``[pytest-delta]   imports requests (requests changed): src/shop/http.py``."""
    start(project, pythonpath=TINYLIB_PATH, files={**tinylib("1.0"), **TINYLIB_USERS})
    upgrade_tinylib(project)

    run = project.run("--delta-debug")

    assert run.ran == TINYLIB_TESTS
    assert {line for line in run.debug if line.startswith("  imports tinylib")} == {
        "  imports tinylib (tinylib changed): src/lib/fmt.py",
        "  imports tinylib (tinylib changed): tests/test_tiny.py",
    }, run.debug


@pytest.mark.parametrize("distribution", [
    "pytest-xdist",  # a pytest plugin: its code runs in every session, imported by no test
    "msgpack",  # required by a pytest plugin (pytest-delta itself)
])
def test_changed_plugin_or_plugin_requirement_runs_every_test(demo: Project, distribution: str) -> None:
    rewrite_recorded_environment(demo, recorded_version(distribution, "0.0.1"))

    run = demo.run("--delta-debug")

    assert run.ran == ALL_TESTS
    change = f"{distribution} 0.0.1 -> {importlib.metadata.version(distribution)}"
    assert f"  environment: {change}" in run.debug, run.debug
    assert run.summaries == [f"delta: installed packages changed ({change}); running all {len(ALL_TESTS)} tests"]


# -- --delta-since REF ---------------------------------------------------------------------------


def git(project: Project, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Delta Test", "-c", "user.email=delta@example.invalid",
                           "-c", "commit.gpgsign=false", *args], cwd=project.root, capture_output=True,
                          text=True, timeout=GIT_TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit_all(project: Project, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


@pytest.fixture
def isolated_git(project: Project) -> Project:
    """git sees only the project's own repository, whatever the environment of the test run."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        project.monkeypatch.delenv(name, raising=False)
    project.monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.root.parent))
    return project


@pytest.fixture
def repo(isolated_git: Project) -> Project:
    """The project committed on ``main``, with no snapshot; snapshots and run directories ignored."""
    project = isolated_git
    project.ini("pythonpath = src", TESTPATHS)
    project.write({**PROJECT, ".gitignore": ".delta.msgpack*\nrunpytest-*/\nstdout\nstderr\n"})  # pytester's
    git(project, "init", "-q")
    git(project, "symbolic-ref", "HEAD", "refs/heads/main")
    commit_all(project, "shop")
    return project


def test_delta_since_selects_what_the_branch_and_the_working_tree_changed(repo: Project) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    repo.append("src/lib/calc.py", "\n\ndef triple(x):\n    return 3 * x\n")
    commit_all(repo, "triple")
    # Landed on main after the branch point: not this branch's change.
    git(repo, "checkout", "-q", "main")
    repo.append("tests/test_prices.py", "\n\ndef test_price_list_exists():\n    assert ROOT.is_dir()\n")
    commit_all(repo, "more price tests")
    git(repo, "checkout", "-q", "feature")
    repo.edit("src/app/views.py", "def title(name):\n    return name.title().strip()\n")  # not committed
    repo.write({"tests/test_new.py": "def test_new():\n    assert True\n"})  # untracked

    run = repo.run("--delta-since", "main")

    assert run.ret == 0
    assert run.ran == CALC_TESTS | VIEWS_TESTS | nodeids("tests/test_new.py::test_new")
    assert run.summaries[0].startswith("delta: 3 changed since main, "), run.summaries
    assert not repo.snapshot.exists()  # no snapshot needed, none written


def test_delta_since_with_nothing_changed_runs_nothing(repo: Project) -> None:
    git(repo, "checkout", "-q", "-b", "feature")

    run = repo.run("--delta-since", "main")

    assert run.ret == 0
    assert run.ran == set()
    assert not repo.snapshot.exists()


def test_delta_since_leaves_an_existing_snapshot_alone(repo: Project) -> None:
    assert repo.run().ran == ALL_TESTS
    before = repo.snapshot.read_bytes()
    git(repo, "checkout", "-q", "-b", "feature")
    repo.edit("assets/prices.csv", "sku,price\napple,55\n")

    assert repo.run("--delta-since", "main").ran == PRICES_TEST
    assert repo.snapshot.read_bytes() == before
    assert repo.run().ran == PRICES_TEST  # the --delta run still sees the change as new


OPTIONAL_USER = {
    "src/lib/legacy.py": "VALUE = 1\n",
    "tests/test_optional.py": """\
        def test_legacy_value_if_present():
            try:
                from lib import legacy
            except ImportError:
                legacy = None
            assert legacy is None or legacy.VALUE == 1
        """,
}


def test_delta_since_runs_the_importers_of_a_deleted_module_found_in_the_snapshot(repo: Project) -> None:
    repo.write(OPTIONAL_USER)
    commit_all(repo, "legacy")
    assert repo.run().ran == ALL_TESTS | nodeids("tests/test_optional.py::test_legacy_value_if_present")
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "rm", "-q", "src/lib/legacy.py")
    commit_all(repo, "drop legacy")

    run = repo.run("--delta-since", "main")

    assert run.outcomes == {"tests/test_optional.py::test_legacy_value_if_present": "passed"}


def test_delta_since_without_a_snapshot_runs_everything_for_a_deleted_module(repo: Project) -> None:
    repo.write(OPTIONAL_USER)
    commit_all(repo, "legacy")
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "rm", "-q", "src/lib/legacy.py")
    commit_all(repo, "drop legacy")

    run = repo.run("--delta-since", "main")

    assert run.items is not None, "collection was skipped"
    assert run.ran == ALL_TESTS | nodeids("tests/test_optional.py::test_legacy_value_if_present")
    assert run.summaries == [
        "delta: src/lib/legacy.py was deleted and there is no snapshot to find its importers; "
        f"running all {len(ALL_TESTS) + 1} tests"]


def usage_errors(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("ERROR:")]


def test_delta_since_an_unknown_ref_is_a_one_line_usage_error(repo: Project) -> None:
    run = repo.run("--delta-since", "no-such-branch")

    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert usage_errors(run.lines) == [
        "ERROR: --delta-since no-such-branch: unknown git ref 'no-such-branch': no branch, tag or commit of that "
        "name (a shallow CI checkout: fetch it first, e.g. actions/checkout with fetch-depth: 0)"]
    assert run.ran == set()


def test_delta_since_outside_a_git_repository_is_a_one_line_usage_error(isolated_git: Project) -> None:
    start(isolated_git)

    run = isolated_git.run("--delta-since", "main")

    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert usage_errors(run.lines) == [
        f"ERROR: --delta-since main: {isolated_git.root} is not in a git repository; --delta-since needs one"]
    assert run.ran == set()
