"""What a branch changed, according to git: committed, staged, unstaged, renamed, untracked."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from pytest_delta.engine import DeltaError
from pytest_delta.engine.gitdiff import GitError, changed_since


class Repo:
    """A git repository on a ``main`` branch, written and committed like a developer would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *args: str, cwd: Path | None = None) -> str:
        done = subprocess.run(["git", *args], cwd=cwd or self.root, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
        return done.stdout

    def write(self, relpath: str, text: str = "") -> None:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str, *files: str) -> None:
        """Write ``files`` (each with its own name as content, so every write is a change) and
        commit everything."""
        for relpath in files:
            self.write(relpath, f"# {relpath} at {message}\n")
        self.git("add", "--all")
        self.git("commit", "--quiet", "-m", message)


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system configuration, a fixed identity, and no repository above the test's
    directory: the tests behave the same on every machine."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Author")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "author@example.invalid")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    made = Repo(tmp_path / "repo")
    made.write(".gitignore", "*.log\n")
    made.commit("initial", "src/app.py", "src/cart.py", "src/old_name.py", "src/prices.py",
                "tests/test_app.py", "tests/data/cart.json", "docs/index.md")
    return made


@pytest.fixture
def feature(repo: Repo) -> Repo:
    """A branch with one commit, while ``main`` moved on after the branch point."""
    repo.git("checkout", "--quiet", "-b", "feature")
    repo.commit("feature work", "src/app.py", "tests/test_new.py")
    repo.git("checkout", "--quiet", "main")
    repo.commit("main moves on", "src/prices.py", "docs/index.md")
    repo.git("checkout", "--quiet", "feature")
    return repo


def test_committed_changes_of_the_branch_count_and_the_target_branch_s_later_work_does_not(feature: Repo) -> None:
    assert changed_since(feature.root, "main") == {"src/app.py", "tests/test_new.py"}


def test_uncommitted_work_counts_in_every_form(feature: Repo) -> None:
    feature.write("src/cart.py", "# staged edit\n")
    feature.git("add", "src/cart.py")
    feature.write("docs/index.md", "unstaged edit\n")
    (feature.root / "tests/data/cart.json").unlink()
    feature.git("mv", "src/old_name.py", "src/new_name.py")
    feature.write("tests/test_untracked.py")
    feature.write("tests/data/naïve name with spaces.json", "{}")
    feature.write("pytest-run.log", "ignored by .gitignore")

    assert changed_since(feature.root, "main") == {
        "src/app.py", "tests/test_new.py",  # committed on the branch
        "src/cart.py", "docs/index.md", "tests/data/cart.json",  # staged, unstaged, deleted
        "src/old_name.py", "src/new_name.py",  # both names of a rename
        "tests/test_untracked.py", "tests/data/naïve name with spaces.json",  # untracked
    }


def test_a_commit_a_tag_or_a_relative_ref_all_work(feature: Repo) -> None:
    feature.git("tag", "v1.0", "main")
    main_commit = feature.git("rev-parse", "main").strip()
    expected = {"src/app.py", "tests/test_new.py"}
    assert changed_since(feature.root, "v1.0") == expected
    assert changed_since(feature.root, main_commit) == expected
    assert changed_since(feature.root, "HEAD~1") == expected


def test_nothing_changed_since_head_itself(feature: Repo) -> None:
    assert changed_since(feature.root, "HEAD") == frozenset()


def test_a_change_reverted_in_the_working_tree_is_no_change(repo: Repo) -> None:
    before = (repo.root / "src/cart.py").read_text(encoding="utf-8")
    repo.git("checkout", "--quiet", "-b", "revert")
    repo.commit("edit", "src/cart.py")
    repo.write("src/cart.py", before)
    assert changed_since(repo.root, "main") == frozenset()


def test_a_project_in_a_subdirectory_sees_only_its_own_files_relative_to_itself(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "monorepo")
    repo.commit("initial", "service/src/api.py", "service/tests/test_api.py", "web/app.py", "README.md")
    repo.git("checkout", "--quiet", "-b", "feature")
    repo.commit("edit both", "service/src/api.py", "web/app.py", "README.md")
    repo.write("service/tests/test_new.py")
    repo.write("web/new.py")

    assert changed_since(repo.root / "service", "main") == {"src/api.py", "tests/test_new.py"}


def test_the_user_s_git_configuration_does_not_change_the_answer(feature: Repo) -> None:
    for key, value in [("diff.relative", "true"), ("diff.renames", "copies"), ("core.quotePath", "true"),
                       ("status.showUntrackedFiles", "no"), ("diff.external", "false"), ("core.pager", "false")]:
        feature.git("config", key, value)
    feature.git("mv", "src/old_name.py", "src/ünicode_name.py")
    feature.write("src/extra.py")

    assert changed_since(feature.root / "src", "main") == {"app.py", "old_name.py", "ünicode_name.py", "extra.py"}


def test_outside_a_repository_the_error_says_so(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match="not in a git repository"):
        changed_since(plain, "main")


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=/tmp/x", "main~99"])
def test_an_unknown_ref_is_named(feature: Repo, ref: str) -> None:
    with pytest.raises(GitError) as info:
        changed_since(feature.root, ref)
    assert f"unknown git ref {ref!r}" in str(info.value)
    assert isinstance(info.value, DeltaError)


def test_without_git_the_error_says_it_is_needed(feature: Repo, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(GitError, match="git is not installed"):
        changed_since(feature.root, "main")


def test_unrelated_histories_have_no_merge_base(repo: Repo) -> None:
    repo.git("checkout", "--quiet", "--orphan", "pages")
    repo.git("rm", "-r", "--quiet", "--cached", ".")
    repo.commit("unrelated", "index.html")
    with pytest.raises(GitError, match="no common history"):
        changed_since(repo.root, "main")


def test_a_shallow_clone_without_the_branch_point_is_told_to_fetch_more(feature: Repo, tmp_path: Path) -> None:
    """What actions/checkout does by default: one commit of the branch, then the target fetched alone."""
    clone = tmp_path / "ci-checkout"
    feature.git("clone", "--quiet", "--depth=1", "--branch=feature", f"file://{feature.root}", str(clone),
                cwd=tmp_path)
    feature.git("fetch", "--quiet", "--depth=1", "origin", "main:refs/remotes/origin/main", cwd=clone)
    with pytest.raises(GitError, match="fetch-depth: 0"):
        changed_since(clone, "origin/main")
