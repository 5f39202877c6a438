"""The workspace on real directories: what a scan finds, reads and reports as affected."""

from __future__ import annotations

import itertools
import os
from collections import Counter
from pathlib import Path

import pytest
from pytest_delta.engine import EngineOptions, TrackRules, Workspace, is_tracked, scan_tree
from pytest_delta.engine import files as files_module
from pytest_delta.engine import workspace as workspace_module
from pytest_delta.engine.files import FileStat

from .conftest import Project

SHOP = {
    "shop/__init__.py": "",
    "shop/money.py": "ROUND = 2\n",
    "shop/cart.py": "from shop.money import ROUND\n",
    "shop/checkout.py": "from shop.cart import Cart\n",
    "shop/catalog.py": "import json\n\ntry:\n    import requests\nexcept ImportError:\n    requests = None\n",
    "tests/test_cart.py": "from shop.cart import Cart\n",
    "tests/test_checkout.py": "import shop.checkout\n",
    "tests/test_catalog.py": "from shop import catalog\n",
}
MONEY_IMPORTERS = {"shop/money.py", "shop/cart.py", "shop/checkout.py", "tests/test_cart.py", "tests/test_checkout.py"}


@pytest.fixture
def shop(project: Project) -> Project:
    for relpath, text in SHOP.items():
        project.write(relpath, text)
    return project


@pytest.fixture
def ctime_blind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stat data without a change time, as on Windows (where st_ctime is the creation time):
    an edit that keeps size and mtime leaves the stat data exactly as it was."""
    real_scan_tree = files_module.scan_tree

    def scan_without_ctime(*args: object, **kwargs: object) -> dict[str, FileStat]:
        stats = real_scan_tree(*args, **kwargs)  # type: ignore[arg-type]
        return {path: st._replace(ctime_ns=0) for path, st in stats.items()}

    monkeypatch.setattr(workspace_module, "scan_tree", scan_without_ctime)


def age(project: Project, *relpaths: str, seconds: int = 3600) -> None:
    for relpath in relpaths:
        path = project.root / relpath
        mtime = path.stat().st_mtime_ns - seconds * 10**9
        os.utime(path, ns=(mtime, mtime))


def test_first_scan_without_baseline_affects_every_tracked_file(shop: Project) -> None:
    workspace = Workspace(shop.root, None)
    changes = workspace.scan()
    assert changes.added == set(SHOP)
    assert set(workspace.affected) == set(SHOP)
    assert workspace.explain("tests/test_cart.py") == ["tests/test_cart.py"]


def test_snapshot_round_trip_restores_records_graph_and_parse_results(shop: Project) -> None:
    workspace = shop.workspace()
    loaded = shop.save(workspace)
    assert loaded.files == workspace.records
    assert loaded.deps == workspace.deps
    digests = {r.digest for r in workspace.records.values()}
    assert {d: loaded.parsed[d] for d in digests} == {d: workspace.parse_result(d) for d in digests}
    assert loaded.deps["tests/test_cart.py"] == ("shop/__init__.py", "shop/cart.py")


@pytest.mark.usefixtures("settled")
def test_unchanged_project_reports_nothing_and_reads_no_file(shop: Project, reads: Counter[str]) -> None:
    baseline = shop.baseline()
    reads.clear()
    workspace = Workspace(shop.root, baseline)
    changes = workspace.scan()
    assert not changes
    assert workspace.affected == {}
    assert reads == Counter()


@pytest.mark.usefixtures("settled")
def test_touched_file_with_the_same_content_is_read_but_not_changed(shop: Project, reads: Counter[str]) -> None:
    baseline = shop.baseline()
    reads.clear()
    age(shop, "shop/money.py")
    changes = shop.workspace(baseline).changes
    assert not changes
    assert reads == Counter({"shop/money.py": 1})


def test_edit_of_a_leaf_affects_exactly_its_transitive_importers(shop: Project) -> None:
    baseline = shop.baseline()
    shop.write("shop/money.py", "ROUND = 3  # banker's rounding\n")
    workspace = shop.workspace(baseline)
    assert workspace.changes.changed == {"shop/money.py"}
    assert set(workspace.affected) == MONEY_IMPORTERS
    assert workspace.explain("tests/test_checkout.py") == [
        "tests/test_checkout.py", "shop/checkout.py", "shop/cart.py", "shop/money.py"]


def test_edit_reverted_before_the_scan_is_no_change(shop: Project) -> None:
    baseline = shop.baseline()
    shop.write("shop/money.py", "ROUND = 3\n")
    shop.write("shop/money.py", SHOP["shop/money.py"])
    assert not shop.workspace(baseline).changes


def test_stat_hidden_edit_within_the_racy_window_is_detected(shop: Project) -> None:
    baseline = shop.baseline()  # written in the same second as the files
    shop.edit_keeping_stat("shop/money.py", "ROUND = 9\n")
    workspace = shop.workspace(baseline)
    assert workspace.changes.changed == {"shop/money.py"}
    assert set(workspace.affected) == MONEY_IMPORTERS


@pytest.mark.usefixtures("ctime_blind")
def test_racy_rule_alone_catches_an_edit_the_stat_data_cannot_show(shop: Project, reads: Counter[str]) -> None:
    baseline = shop.baseline()
    assert baseline.files["shop/money.py"].stat is None, "a file written just now is not vouched for by stat"
    shop.edit_keeping_stat("shop/money.py", "ROUND = 9\n")
    reads.clear()
    workspace = shop.workspace(baseline)
    assert reads["shop/money.py"] == 1
    assert workspace.changes.changed == {"shop/money.py"}


@pytest.mark.usefixtures("ctime_blind")
def test_a_file_old_enough_is_trusted_by_its_stat_data(shop: Project, reads: Counter[str]) -> None:
    age(shop, *SHOP)
    baseline = shop.baseline()
    assert all(record.stat is not None for record in baseline.files.values())
    reads.clear()
    workspace = shop.workspace(baseline)
    assert reads == Counter()
    assert not workspace.changes


def test_new_module_shadowing_an_unresolved_import_rewires_its_importer(shop: Project) -> None:
    baseline = shop.baseline()
    assert "requests.py" not in baseline.deps["shop/catalog.py"]
    shop.write("requests.py", "def get(url): ...\n")
    workspace = shop.workspace(baseline)
    changes = workspace.changes
    assert changes.added == {"requests.py"}
    assert changes.rewired == {"shop/catalog.py"}
    assert changes.reason("shop/catalog.py") == "imports resolve differently"
    assert set(workspace.affected) == {"requests.py", "shop/catalog.py", "tests/test_catalog.py"}


def test_deleted_module_affects_its_importers(shop: Project) -> None:
    baseline = shop.baseline()
    shop.delete("shop/money.py")
    workspace = shop.workspace(baseline)
    assert workspace.changes.deleted == {"shop/money.py"}
    assert workspace.changes.reason("shop/money.py") == "deleted"
    assert "shop/cart.py" in workspace.changes.rewired
    assert set(workspace.affected) == MONEY_IMPORTERS


def test_new_conftest_affects_the_files_below_it_only(shop: Project) -> None:
    shop.write("tests/unit/test_money.py", "from shop.money import ROUND\n")
    baseline = shop.baseline()
    shop.write("tests/unit/conftest.py", "import pytest\n")
    workspace = shop.workspace(baseline)
    assert set(workspace.affected) == {"tests/unit/conftest.py", "tests/unit/test_money.py"}
    assert workspace.explain("tests/unit/test_money.py") == ["tests/unit/test_money.py"]


def test_edited_conftest_affects_every_test_below_it(shop: Project) -> None:
    shop.write("tests/conftest.py", "import pytest\n")
    baseline = shop.baseline()
    shop.write("tests/conftest.py", "import pytest\n\n@pytest.fixture\ndef cart(): ...\n")
    workspace = shop.workspace(baseline)
    assert set(workspace.affected) == {"tests/conftest.py", *(p for p in SHOP if p.startswith("tests/"))}


def test_unparseable_file_counts_as_changed_on_every_scan_until_fixed(shop: Project) -> None:
    snapshot = shop.baseline()
    shop.write("shop/money.py", "ROUND = (2\n")
    for _ in range(2):  # two runs in a row, each saving its snapshot for the next
        workspace = shop.workspace(snapshot)
        assert set(workspace.changes.broken) == {"shop/money.py"}
        assert "syntax error at line 1" in workspace.changes.reason("shop/money.py")
        assert set(workspace.affected) == MONEY_IMPORTERS
        snapshot = shop.save(workspace)
    shop.write("shop/money.py", "ROUND = (2)\n")
    fixed = shop.workspace(snapshot)
    assert fixed.changes.changed == {"shop/money.py"}
    assert fixed.changes.broken == {}
    assert not shop.workspace(shop.save(fixed)).changes


def test_file_that_cannot_be_read_counts_as_broken(shop: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = shop.baseline()
    shop.write("shop/money.py", "ROUND = 4\n")
    real_read_file = files_module.read_file

    def denied(root: Path, relpath: str) -> bytes:
        if relpath == "shop/money.py":
            raise PermissionError(13, "Permission denied")
        return real_read_file(root, relpath)

    monkeypatch.setattr(workspace_module, "read_file", denied)
    workspace = shop.workspace(baseline)
    assert workspace.changes.broken == {"shop/money.py": "cannot be read"}
    assert set(workspace.affected) == MONEY_IMPORTERS


def test_file_without_read_permission_counts_as_broken(shop: Project) -> None:
    baseline = shop.baseline()
    path = shop.root / "shop/money.py"
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running with privileges that read any file")
        workspace = shop.workspace(baseline)
        assert workspace.changes.broken == {"shop/money.py": "cannot be read"}
        assert set(workspace.affected) == MONEY_IMPORTERS
    finally:
        path.chmod(0o644)


def test_symlink_loops_do_not_hang_the_walk(shop: Project) -> None:
    os.symlink(shop.root, shop.root / "loop", target_is_directory=True)
    os.symlink(shop.root / "shop", shop.root / "shop" / "again", target_is_directory=True)
    os.symlink(shop.root / "self.py", shop.root / "self.py")
    workspace = shop.workspace()
    assert set(workspace.records) == set(SHOP)


def test_file_symlinks_are_tracked_with_their_target_content(shop: Project) -> None:
    os.symlink(shop.root / "shop" / "money.py", shop.root / "shop" / "currency.py")
    workspace = shop.workspace()
    assert workspace.records["shop/currency.py"].digest == workspace.records["shop/money.py"].digest


def test_environments_caches_and_hidden_dirs_are_not_tracked_but_build_and_env_are(project: Project) -> None:
    for relpath in [
        "venv/pyvenv.cfg", "venv/lib/python3.11/site-packages/requests/__init__.py",
        "tools/.tox/py311/pyvenv.cfg", "tools/.tox/py311/lib/thing.py",
        "myenv/pyvenv.cfg", "myenv/bin/activate_this.py",
        ".git/hooks/pre-commit.py", ".hidden.py",
        "shop/__pycache__/cart.py",
        "web/node_modules/pkg/build.py",
        "vendor/site-packages/six.py",
    ]:
        project.write(relpath)
    kept = ["build/lib/shop/cart.py", "env/settings.py", "environment/base.py", "dist/conf.py", "shop/cart.py"]
    for relpath in kept:
        project.write(relpath)
    assert set(project.workspace().records) == set(kept)


def test_excluded_paths_and_extra_patterns(project: Project) -> None:
    for relpath in ["shop/cart.py", "generated/models.py", "docs/guide.txt", "docs/notes.md", "docs/logo.png"]:
        project.write(relpath)
    options = EngineOptions(rules=TrackRules(exclude=("generated/*",), extra_patterns=("*.txt",), data_suffixes=()))
    assert set(project.workspace(None, options).records) == {"shop/cart.py", "docs/guide.txt"}
    with_data = EngineOptions(rules=TrackRules(exclude=("generated/*",), data_suffixes=(".md",)))
    assert set(project.workspace(None, with_data).records) == {"shop/cart.py", "docs/notes.md"}


def test_skipped_paths_are_not_tracked(project: Project) -> None:
    project.write("shop/cart.py")
    project.write("state.py")
    project.write("out/junit.xml")
    project.write("out/html/index.html")
    options = EngineOptions(skip=("state.py", "out/junit.xml", "out/html"))
    assert set(project.workspace(None, options).records) == {"shop/cart.py"}
    assert not is_tracked(project.root, "out/html/index.html", options.rules, options.skip)


def test_reports_snapshots_and_build_metadata_are_not_tracked_but_test_data_of_those_names_is(
        project: Project) -> None:
    for relpath in ["coverage.xml", "coverage.json", "coverage.lcov", "htmlcov/index.html",
                    "src/shop.egg-info/SOURCES.txt", "shop/htmlcov/style.css", "shard-2.msgpack",
                    "shard-2.msgpack.lock"]:
        project.write(relpath)
    kept = ["shop/cart.py", "tests/data/coverage.xml", "docs/coverage.json", "tests/data/message.msgpack"]
    for relpath in kept:
        project.write(relpath)
    with_data = EngineOptions(rules=TrackRules())
    assert set(project.workspace(None, with_data).records) == set(kept)
    for relpath in ["coverage.xml", "htmlcov/index.html", "src/shop.egg-info/SOURCES.txt"]:
        assert not is_tracked(project.root, relpath, with_data.rules)
    assert is_tracked(project.root, "tests/data/coverage.xml", with_data.rules)


def test_unsaved_buffer_affects_importers_and_closing_it_restores_no_changes(shop: Project) -> None:
    workspace = shop.workspace(shop.baseline())
    changes = workspace.update("shop/money.py", b"ROUND = 5\n")
    assert changes.changed == {"shop/money.py"}
    assert set(workspace.affected) == MONEY_IMPORTERS
    assert not workspace.update("shop/money.py", None)
    assert workspace.affected == {}


def test_unsaved_buffer_adding_an_import_rewires_its_file(shop: Project) -> None:
    workspace = shop.workspace(shop.baseline())
    workspace.update("tests/test_catalog.py", b"from shop import catalog\nfrom shop.money import ROUND\n")
    assert "shop/money.py" in workspace.graph.dependencies("tests/test_catalog.py")
    workspace.update("tests/test_catalog.py", None)
    assert "shop/money.py" not in workspace.graph.dependencies("tests/test_catalog.py")
    assert not workspace.changes


def test_unsaved_new_file_appears_and_disappears(shop: Project) -> None:
    workspace = shop.workspace(shop.baseline())
    assert workspace.update("shop/requests.py", b"").added == {"shop/requests.py"}
    assert not workspace.update("shop/requests.py", None)


def test_unsaved_buffer_of_an_untracked_file_leaves_no_trace(shop: Project) -> None:
    shop.write("README.txt", "hello\n")
    workspace = shop.workspace(shop.baseline())
    workspace.update("README.txt", b"edited\n")
    assert not workspace.update("README.txt", None)


def test_buffer_survives_a_rescan_of_the_disk(shop: Project) -> None:
    workspace = shop.workspace(shop.baseline())
    workspace.update("shop/money.py", b"ROUND = 5\n")
    assert workspace.scan().changed == {"shop/money.py"}


def test_remove_treats_the_file_as_gone(shop: Project) -> None:
    workspace = shop.workspace(shop.baseline())
    changes = workspace.remove("shop/money.py")
    assert changes.deleted == {"shop/money.py"}
    assert set(workspace.affected) == MONEY_IMPORTERS
    assert "shop/money.py" not in workspace.records


def test_explain_gives_a_shortest_chain(project: Project) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/c.py": "VALUE = 1\n",
        "shop/b.py": "from shop import c\n",
        "shop/a.py": "from shop import b\n",
        "shop/d.py": "from shop import c\n",
        "tests/test_x.py": "from shop import a\nfrom shop import d\n",
    }
    for relpath, text in files.items():
        project.write(relpath, text)
    baseline = project.baseline()
    project.write("shop/c.py", "VALUE = 2\n")
    workspace = project.workspace(baseline)
    chain = workspace.explain("tests/test_x.py")
    assert chain == ["tests/test_x.py", "shop/d.py", "shop/c.py"]
    assert workspace.graph.find_shortest_chain("tests/test_x.py", "shop/c.py") == chain
    assert all(b in workspace.graph.dependencies(a) for a, b in itertools.pairwise(chain))


def test_baseline_made_with_other_roots_is_resolved_again(project: Project) -> None:
    project.write("lib/vendored/tool.py", "def run(): ...\n")
    project.write("tests/test_tool.py", "import vendored.tool\n")
    baseline = project.baseline()
    workspace = project.workspace(baseline, EngineOptions(extra_roots=("lib",)))
    assert workspace.changes.rewired == {"tests/test_tool.py"}
    assert workspace.graph.dependencies("tests/test_tool.py") == ("lib/vendored/tool.py",)


def test_dynamic_imports_are_reported_per_file(project: Project) -> None:
    project.write("plugins.py", "import importlib\n\ndef load(name):\n    return importlib.import_module(name)\n")
    workspace = project.workspace()
    assert workspace.dynamic_imports(["plugins.py"]) == {"plugins.py": ("line 4: import_module(name)",)}


def test_progress_reports_parsing_up_to_the_total(shop: Project) -> None:
    calls: list[tuple[int, int]] = []
    Workspace(shop.root, None).scan(lambda done, total: calls.append((done, total)))
    distinct_sources = len(set(SHOP.values()))  # equal contents are parsed once
    assert calls
    assert calls[-1] == (distinct_sources, distinct_sources)


def test_parallel_parsing_gives_the_same_graph_as_serial(shop: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = shop.workspace(None, EngineOptions(workers=1))
    monkeypatch.setattr(workspace_module, "PARALLEL_PARSE_MIN", 1)
    parallel = shop.workspace(None, EngineOptions(workers=2))
    digests = {r.digest for r in serial.records.values()}
    assert parallel.records.keys() == serial.records.keys()
    assert {d: parallel.parse_result(d) for d in digests} == {d: serial.parse_result(d) for d in digests}
    assert parallel.deps == serial.deps


def test_scan_tree_records_stat_data(project: Project) -> None:
    path = project.write("shop/cart.py", "x = 1\n")
    stats = scan_tree(project.root)
    assert stats == {"shop/cart.py": FileStat.of(path.stat())}


def test_configuration_globs_with_a_directory_match_paths_and_the_others_names() -> None:
    rules = TrackRules(config_patterns=("*.env", "deploy/*.yaml", "./ci/settings.toml"), data_suffixes=())

    assert rules.kind("prod.env") == rules.kind("ci/prod.env") == "config"
    assert rules.kind("deploy/app.yaml") == "config"
    assert rules.kind("ci/settings.toml") == "config"
    assert rules.kind("app.yaml") is None, "a path glob never matches a bare name"
    assert rules.kind("other/app.yaml") is None
    assert rules.kind("other/ci/settings.toml") is None
