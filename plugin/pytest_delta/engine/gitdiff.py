"""The files a branch changed, from git: what pull-request CI selects from, without a snapshot.

The answer is the difference between the working tree and the merge base of a ref with HEAD
(what ``git diff REF...`` shows, plus what is not committed yet, plus untracked files), so work
that landed on the target branch after the branch point does not count as this branch's change.
The ``git`` command is run directly; its configuration (renames, quoting, pagers, external diff
drivers) is overridden where it could change the answer.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .errors import DeltaError

#: Long enough for ``git diff`` over a very large repository; a hang still ends.
GIT_TIMEOUT_S = 120


class GitError(DeltaError):
    """git cannot answer: not installed, not a repository, an unknown ref, no merge base."""


def changed_since(root: Path, ref: str) -> frozenset[str]:
    """Files under ``root`` that differ between the merge base of ``ref`` and HEAD and the
    working tree: committed on the branch, staged, unstaged, deleted, both names of a rename,
    and untracked files that are not ignored. POSIX paths relative to ``root``, which may be a
    subdirectory of the work tree."""
    prefix = _git(root, "rev-parse", "--show-prefix", what="find the git work tree").rstrip("\n")
    if _git(root, "rev-parse", "--is-inside-work-tree", what="find the git work tree").strip() != "true":
        raise GitError(f"{root} is not inside a git work tree (a bare repository or a .git directory)")
    commit = _resolve(root, ref)
    base = _merge_base(root, ref, commit)
    diffed = _git(root, "-c", "core.quotePath=false", "diff", "--name-only", "--no-renames", "--no-relative",
                  "--no-ext-diff", "--no-textconv", "--ignore-submodules=none", "-z", base, "--", ":/",
                  what="compare with " + ref)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--full-name", "-z", "--", ":/",
                     what="list untracked files")
    out = set()
    for path in (*diffed.split("\0"), *untracked.split("\0")):
        if path and path.startswith(prefix):
            out.add(path[len(prefix):])
    return frozenset(out)


def _resolve(root: Path, ref: str) -> str:
    if not ref or ref.startswith("-"):
        raise GitError(f"unknown git ref {ref!r}")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                    what="resolve " + ref).strip()
    except GitError:
        hint = " (a shallow CI checkout: fetch it first, e.g. actions/checkout with fetch-depth: 0)"
        raise GitError(f"unknown git ref {ref!r}: no branch, tag or commit of that name{hint}") from None


def _merge_base(root: Path, ref: str, commit: str) -> str:
    try:
        return _git(root, "merge-base", commit, "HEAD", what="find the merge base").strip()
    except GitError:
        pass
    if _git_ok(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}") is None:
        raise GitError("HEAD has no commit yet; nothing to compare with " + repr(ref))
    if _git_ok(root, "rev-parse", "--is-shallow-repository") == "true":
        raise GitError(f"no merge base of {ref!r} and HEAD in this shallow clone; fetch more history "
                       "(actions/checkout with fetch-depth: 0, or git fetch --unshallow)") from None
    raise GitError(f"{ref!r} and HEAD have no common history (no merge base)") from None


def _git_ok(root: Path, *args: str) -> str | None:
    try:
        return _git(root, *args, what="").strip()
    except GitError:
        return None


def _git(root: Path, *args: str, what: str) -> str:
    command = ["git", "--no-pager", "-C", os.fspath(root), *args]
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(command, capture_output=True, env=env, timeout=GIT_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (no 'git' command on PATH); --delta-since needs it") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git did not answer within {GIT_TIMEOUT_S} s trying to {what}") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    stderr = done.stderr.decode(errors="replace").strip()
    if done.returncode != 0:
        if "not a git repository" in stderr.lower():
            raise GitError(f"{root} is not in a git repository; --delta-since needs one")
        first = stderr.splitlines()[0] if stderr else f"exit status {done.returncode}"
        raise GitError(f"git failed to {what}: {first}")
    return done.stdout.decode("utf-8", errors="surrogateescape")
