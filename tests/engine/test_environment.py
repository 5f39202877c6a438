"""The environment: what is installed, how a run notices an upgrade cheaply, and what it affects."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
import venv
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_delta.engine.environment import (
    Environment,
    EnvironmentChange,
    compare,
    current_environment,
    from_meta,
    python_description,
    to_meta,
)

PAST_NS = 1_600_000_000 * 10**9
#: How long a pip install may take before the test counts as hung.
PIP_TIMEOUT_S = 300


def env(python: str = "cpython 3.11.7", **dists: str) -> Environment:
    """An environment whose distributions each provide the module of their own name, need
    nothing and are not plugins; tests override what their scenario needs."""
    return Environment(python=python, distributions=dists,
                       top_levels={name: (name.replace("-", "_"),) for name in dists})


def with_fields(base: Environment, **fields: Any) -> Environment:
    values = {f: getattr(base, f) for f in ("python", "distributions", "top_levels", "requires", "plugins",
                                            "fingerprint")}
    values.update(fields)
    return Environment(**values)


# -- comparing two environments ------------------------------------------------------------------


def test_an_upgrade_affects_the_modules_of_the_upgraded_distribution() -> None:
    old = env(requests="2.31.0", six="1.16")
    change = compare(old, env(requests="2.32.0", six="1.16"))
    assert change.interpreter is None
    assert change.distributions == ("requests 2.31.0 -> 2.32.0",)
    assert change.modules == frozenset({"requests"})
    assert change.sources == {"requests": "requests"}
    assert change
    assert not change.runs_all


def test_added_and_removed_distributions_are_named_with_their_versions() -> None:
    change = compare(env(six="1.16"), env(attrs="23.1"))
    assert change.distributions == ("added attrs 23.1", "removed six 1.16")
    assert change.modules == frozenset({"attrs", "six"})


def test_a_distribution_whose_modules_are_renamed_by_an_upgrade_affects_old_and_new_names() -> None:
    old = with_fields(env(attrs="21.1"), top_levels={"attrs": ("attr",)})
    new = with_fields(env(attrs="22.1"), top_levels={"attrs": ("attr", "attrs")})
    assert compare(old, new).modules == frozenset({"attr", "attrs"})


def test_an_upgraded_dependency_affects_the_distributions_that_require_it() -> None:
    """Tests import ``requests``, whose code imports ``urllib3``: the project's graph stops at
    ``requests``, so the upgrade of ``urllib3`` must reach it through the requirements."""
    requires = {"requests": ("certifi", "urllib3"), "botocore": ("urllib3",), "boto3": ("botocore",)}
    old = with_fields(env(requests="2.32.0", urllib3="2.0.7", botocore="1.34", boto3="1.34", rich="13.0"),
                      requires=requires)
    new = with_fields(old, distributions={**old.distributions, "urllib3": "2.2.1"})
    change = compare(old, new)
    assert change.distributions == ("urllib3 2.0.7 -> 2.2.1",)
    assert change.modules == frozenset({"urllib3", "requests", "botocore", "boto3"})
    assert change.sources["boto3"] == "urllib3"


def test_a_changed_distribution_with_unknown_modules_affects_everything() -> None:
    old = with_fields(env(shop="1.0", six="1.16"), top_levels={"six": ("six",)})  # shop: editable install
    change = compare(old, with_fields(old, distributions={"shop": "1.1", "six": "1.16"}))
    assert change.distributions == ("shop 1.0 -> 1.1",)
    assert change.modules is None
    assert change.runs_all


def test_unknown_modules_of_an_unchanged_distribution_do_not_matter() -> None:
    old = with_fields(env(shop="1.0", six="1.16"), top_levels={"six": ("six",)})
    change = compare(old, with_fields(old, distributions={"shop": "1.0", "six": "1.17"}))
    assert change.modules == frozenset({"six"})


def test_a_distribution_that_installs_no_module_affects_no_test() -> None:
    old = with_fields(env(ruff="0.4.0"), top_levels={"ruff": ()})
    change = compare(old, with_fields(old, distributions={"ruff": "0.5.0"}))
    assert change.distributions == ("ruff 0.4.0 -> 0.5.0",)
    assert change.modules == frozenset()
    assert change
    assert not change.runs_all


@pytest.mark.parametrize("changed", ["pytest-asyncio", "pytest", "pluggy"])
def test_a_change_to_pytest_its_plugins_or_what_they_require_affects_everything(changed: str) -> None:
    old = with_fields(env(pytest="8.0", pluggy="1.4", **{"pytest-asyncio": "0.23", "six": "1.16"}),
                      requires={"pytest": ("pluggy",), "pytest-asyncio": ("pytest",)},
                      plugins=frozenset({"pytest", "pytest-asyncio"}))
    new = with_fields(old, distributions={**old.distributions, changed: "99"})
    assert compare(old, new).modules is None


def test_a_removed_plugin_affects_everything() -> None:
    old = with_fields(env(**{"pytest-randomly": "3.15", "six": "1.16"}), plugins=frozenset({"pytest-randomly"}))
    assert compare(old, env(six="1.16")).runs_all


def test_another_interpreter_is_reported_and_runs_everything() -> None:
    change = compare(env("cpython 3.11.7", six="1.16"), env("cpython 3.12.1", six="1.16"))
    assert change.interpreter == "python changed: cpython 3.11.7 -> cpython 3.12.1"
    assert change.distributions == ()
    assert change.runs_all


def test_the_same_environment_is_no_change() -> None:
    change = compare(env(six="1.16"), env(six="1.16"))
    assert not change
    assert change == EnvironmentChange()
    assert not change.runs_all


def test_an_unknown_previous_environment_reports_no_change() -> None:
    change = compare(None, env(six="1.16"))
    assert not change
    assert change.modules == frozenset()


# -- the snapshot's form -------------------------------------------------------------------------


def test_the_stored_form_survives_msgpack() -> None:
    original = Environment(
        python="cpython 3.11.7",
        distributions={"requests": "2.32.0", "shop": "1.0", "ruff": "0.5.0"},
        top_levels={"requests": ("requests",), "ruff": ()},
        requires={"requests": ("certifi", "urllib3"), "shop": (), "ruff": ()},
        plugins=frozenset({"pytest-xdist"}),
        fingerprint=(("/venv/lib/python3.11/site-packages", 1_700_000_000_123_456_789),),
    )
    stored = msgpack.unpackb(msgpack.packb(to_meta(original), use_bin_type=True), raw=False)
    assert from_meta(stored) == original


def test_an_environment_that_could_not_be_fingerprinted_is_stored_as_such() -> None:
    original = env(six="1.16")
    assert original.fingerprint is None
    assert from_meta(to_meta(original)) == original


def valid_meta() -> dict[str, Any]:
    return to_meta(Environment("cpython 3.11.7", {"six": "1.16"}, {"six": ("six",)}, {"six": ()},
                               frozenset(), (("/site", 5),)))


@pytest.mark.parametrize(("key", "value"), [
    ("layout", 2),
    ("python", None),
    ("distributions", [["six", "1.16"]]),
    ("distributions", {"six": 1.16}),
    ("top_levels", {"six": "six"}),
    ("requires", {"six": [None]}),
    ("plugins", "pytest"),
    ("fingerprint", [["/site"]]),
    ("fingerprint", [["/site", True]]),
    ("fingerprint", {"/site": 5}),
])
def test_a_malformed_stored_environment_reads_as_unknown(key: str, value: object) -> None:
    meta = valid_meta()
    meta[key] = value
    assert from_meta(meta) is None


@pytest.mark.parametrize("obj", [None, "cpython 3.11", [], {}, {"layout": 1}])
def test_something_else_entirely_reads_as_unknown(obj: object) -> None:
    assert from_meta(obj) is None


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.binary(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "layout": st.just(1) | plain, "python": st.just("cpython 3.11.7") | plain,
    "distributions": plain, "top_levels": plain, "requires": plain, "plugins": plain, "fingerprint": plain,
}))
def test_whatever_the_snapshot_holds_reading_it_never_raises(obj: dict[str, Any]) -> None:
    result = from_meta(obj)
    assert result is None or isinstance(result, Environment)


# -- reading the installed distributions ---------------------------------------------------------


def record_line(relpath: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{relpath},sha256={digest},{len(data)}"


class SiteDir:
    """A ``site-packages`` directory that tests install into by writing what pip writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.settle()

    def install(self, name: str, version: str, files: Mapping[str, str] = {}, *, top_level: str | None = None,
                requires: tuple[str, ...] = (), entry_points: str | None = None, record: bool = True,
                outside: tuple[str, ...] = ()) -> None:
        """Write the files and the metadata; ``outside`` are files RECORD lists outside the
        directory (scripts), not written."""
        info = f"{name.replace('-', '_')}-{version}.dist-info"
        written = dict(files)
        headers = [f"Name: {name}", f"Version: {version}", *(f"Requires-Dist: {r}" for r in requires)]
        written[f"{info}/METADATA"] = "Metadata-Version: 2.1\n" + "\n".join(headers) + "\n\nA long description.\n"
        if top_level is not None:
            written[f"{info}/top_level.txt"] = top_level
        if entry_points is not None:
            written[f"{info}/entry_points.txt"] = entry_points
        lines = [f"{relpath},," for relpath in outside]
        for relpath, text in written.items():
            target = self.path / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            lines.append(record_line(relpath, text.encode()))
        if record:
            (self.path / info / "RECORD").write_text("\n".join([*lines, f"{info}/RECORD,,"]) + "\n", encoding="utf-8")

    def remove(self, name: str, version: str) -> None:
        info = self.path / f"{name.replace('-', '_')}-{version}.dist-info"
        for child in info.iterdir():
            child.unlink()
        info.rmdir()

    def settle(self) -> None:
        """Date the directory well in the past, as if the last install was long ago; every
        call moves it by a second, as a new install would."""
        self.mtime_ns = getattr(self, "mtime_ns", PAST_NS) + 10**9
        os.utime(self.path, ns=(self.mtime_ns, self.mtime_ns))


@pytest.fixture
def site(tmp_path: Path) -> SiteDir:
    return SiteDir(tmp_path / "site-packages")


@pytest.fixture
def no_metadata_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails the test if the environment is enumerated."""
    def refuse(**_: object) -> None:
        raise AssertionError("distributions were enumerated")

    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "distributions", refuse)


def test_versions_modules_requirements_and_plugins_are_read_from_the_metadata(site: SiteDir) -> None:
    site.install("Requests", "2.32.0", {"requests/__init__.py": "", "requests/api.py": ""},
                 requires=("urllib3 (<3,>=1.21.1)", "PySocks!=1.5.7,>=1.5.6; extra == 'socks'"))
    site.install("typing_extensions", "4.12.0", {"typing_extensions.py": ""})
    site.install("PyYAML", "6.0.1", {"_yaml/__init__.py": "", "yaml/__init__.py": ""}, top_level="_yaml\nyaml\n")
    site.install("fastcrc", "1.0", {"fastcrc.cpython-311-x86_64-linux-gnu.so": ""})
    site.install("ruff", "0.5.0", outside=("../../../bin/ruff",))
    site.install("shop", "1.0", {"_shop.pth": "/home/me/shop/src\n"})
    site.install("legacy", "0.1", {"legacy.py": ""}, record=False)
    site.install("pytest-randomly", "3.15.0", {"pytest_randomly/__init__.py": ""},
                 entry_points="[pytest11]\nrandomly = pytest_randomly\n")
    site.install("rich", "13.7.1", {"rich/__init__.py": ""}, entry_points="[console_scripts]\nrich = rich:main\n")
    site.settle()

    found = current_environment(None, path=[str(site.path)])

    assert found.python == python_description()
    assert found.distributions == {
        "requests": "2.32.0", "typing-extensions": "4.12.0", "pyyaml": "6.0.1", "fastcrc": "1.0", "ruff": "0.5.0",
        "shop": "1.0", "legacy": "0.1", "pytest-randomly": "3.15.0", "rich": "13.7.1"}
    assert found.top_levels == {
        "requests": ("requests",), "typing-extensions": ("typing_extensions",), "pyyaml": ("_yaml", "yaml"),
        "fastcrc": ("fastcrc",), "ruff": (), "pytest-randomly": ("pytest_randomly",), "rich": ("rich",)}
    assert "shop" not in found.top_levels  # a .pth: its modules live elsewhere
    assert "legacy" not in found.top_levels  # no RECORD, no top_level.txt
    assert found.requires["requests"] == ("pysocks", "urllib3")
    assert found.plugins == frozenset({"pytest-randomly"})
    assert found.fingerprint == ((str(site.path), site.mtime_ns),)


def test_the_first_distribution_on_the_path_is_the_one_imported(tmp_path: Path) -> None:
    first, second = SiteDir(tmp_path / "user-site"), SiteDir(tmp_path / "site-packages")
    first.install("six", "1.17.0", {"six.py": ""})
    second.install("six", "1.16.0", {"six.py": ""})
    found = current_environment(None, path=[str(first.path), str(second.path)])
    assert found.distributions == {"six": "1.17.0"}


def test_an_unchanged_environment_is_not_enumerated_again(site: SiteDir, no_metadata_reads: None) -> None:
    site.install("six", "1.16", {"six.py": ""})
    site.settle()
    known = Environment(python_description(), {"six": "1.16"}, {"six": ("six",)}, {}, frozenset(),
                        ((str(site.path), site.mtime_ns),))
    assert current_environment(known, path=[str(site.path)]) is known


def test_directories_without_metadata_do_not_count(tmp_path: Path, site: SiteDir) -> None:
    """The project's own directories are on ``sys.path`` too and change all the time."""
    site.install("six", "1.16.0", {"six.py": ""})
    site.settle()
    project = tmp_path / "project"
    project.mkdir()
    first = current_environment(None, path=[str(project), str(site.path)])
    (project / "new_module.py").write_text("")
    assert current_environment(first, path=[str(project), str(site.path)]) is first


@pytest.mark.parametrize("step", ["install", "upgrade", "remove"])
def test_installing_upgrading_or_removing_a_distribution_is_noticed(site: SiteDir, step: str) -> None:
    site.install("six", "1.16.0", {"six.py": ""})
    site.settle()
    before = current_environment(None, path=[str(site.path)])
    if step == "install":
        site.install("attrs", "23.1.0", {"attr/__init__.py": "", "attrs/__init__.py": ""})
    elif step == "upgrade":
        site.remove("six", "1.16.0")
        site.install("six", "1.17.0", {"six.py": ""})
    else:
        site.remove("six", "1.16.0")
    site.settle()
    after = current_environment(before, path=[str(site.path)])
    expected = {"install": {"six": "1.16.0", "attrs": "23.1.0"}, "upgrade": {"six": "1.17.0"}, "remove": {}}
    assert after.distributions == expected[step]
    assert compare(before, after).distributions == {
        "install": ("added attrs 23.1.0",), "upgrade": ("six 1.16.0 -> 1.17.0",), "remove": ("removed six 1.16.0",),
    }[step]


def test_a_directory_modified_just_now_cannot_vouch_for_the_next_run(site: SiteDir) -> None:
    """An install within the same mtime tick as the last look would keep the mtime: the run
    that sees a fresh mtime records no fingerprint, so the next one enumerates again."""
    site.install("six", "1.16.0", {"six.py": ""})
    os.utime(site.path)  # now
    first = current_environment(None, path=[str(site.path)])
    assert first.fingerprint is None
    site.settle()
    second = current_environment(first, path=[str(site.path)])
    assert second is not first
    assert second.fingerprint == ((str(site.path), site.mtime_ns),)
    assert second.distributions == first.distributions


def test_another_interpreter_is_enumerated_again(site: SiteDir) -> None:
    site.install("six", "1.16.0", {"six.py": ""})
    site.settle()
    first = current_environment(None, path=[str(site.path)])
    recorded = with_fields(first, python="cpython 2.7.18")
    again = current_environment(recorded, path=[str(site.path)])
    assert again.python == python_description()
    assert compare(recorded, again).interpreter == f"python changed: cpython 2.7.18 -> {python_description()}"


# -- a real virtual environment, real pip ---------------------------------------------------------


def build_wheel(directory: Path, version: str) -> Path:
    """A wheel of ``tiny-pkg`` (module ``tiny_mod``), built by hand: no build backend, no network."""
    info = f"tiny_pkg-{version}.dist-info"
    files = {
        "tiny_mod/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: tiny-pkg\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test_environment\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [record_line(path, text.encode()) for path, text in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    wheel = directory / f"tiny_pkg-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def test_pip_upgrading_a_package_in_a_virtualenv_is_seen_with_its_module(tmp_path: Path) -> None:
    home = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(home)
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    venv_path = json.loads(subprocess.run([str(python), "-c", "import json, sys; print(json.dumps(sys.path))"],
                                          check=True, capture_output=True, text=True).stdout)

    def pip_install(version: str) -> None:
        subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check",
                        "install", "--no-index", "--no-deps", "--quiet", str(build_wheel(tmp_path, version))],
                       check=True, timeout=PIP_TIMEOUT_S)

    def settle_site_dirs() -> None:
        past = time.time_ns() - 60 * 10**9
        for entry in venv_path:
            if entry.startswith(str(home)) and os.path.isdir(entry):
                os.utime(entry, ns=(past, past))

    pip_install("1.0")
    settle_site_dirs()
    first = current_environment(None, path=venv_path)
    assert first.distributions == {"tiny-pkg": "1.0"}
    assert first.top_levels == {"tiny-pkg": ("tiny_mod",)}
    assert current_environment(first, path=venv_path) is first

    pip_install("2.0")
    second = current_environment(first, path=venv_path)
    assert second.distributions == {"tiny-pkg": "2.0"}
    change = compare(first, second)
    assert change.distributions == ("tiny-pkg 1.0 -> 2.0",)
    assert change.modules == frozenset({"tiny_mod"})
