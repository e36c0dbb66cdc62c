"""What decides the bytes git writes into the work tree for a blob.

git vouches for a file it reports unchanged by the id of its blob (:mod:`ftscan.gitfiles`), and
the scan cache and the replay trust that id instead of reading the file. But git checks a blob
out through the repository's attributes and config: ``working-tree-encoding`` writes UTF-16 or
UTF-32, ``eol``/``text``/``core.autocrlf`` change line ends, a filter driver's ``smudge``
writes anything at all (a file encrypted in the repository, decrypted on disk). The same blob
id can stand for other bytes once these change and the file is checked out again, so what
ftscan kept for a blob is keyed by them too: :func:`checkout_digest`.

These inputs are the attribute files (every ``.gitattributes`` of the work tree, the
repository's ``info/attributes``, the user's attributes file) and the settings
:func:`ftscan.gitsafe.checkout_settings` names. They rarely change; when they do, the cache
starts afresh. Nothing here runs anything the repository configures.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from ftscan.gitsafe import GitUnavailable, checkout_settings, run_git
from ftscan.safefile import UnsafeFile, read_limited

_ATTRIBUTES = ".gitattributes"


def checkout_digest(root: Path, tracked: str, untracked: str) -> str:
    """A digest of what decides the bytes of every blob git checks out at ``root``, given the
    listing's outputs (``git ls-files --stage -v -z`` and ``--others``)."""
    digest = hashlib.sha256()
    for setting in checkout_settings(root):
        digest.update(setting.encode("utf-8", "surrogateescape") + b"\0")
    for path, inside in _attribute_files(root, tracked, untracked):
        digest.update(b"\1" + os.fsencode(path) + b"\0" + _content(path, inside))
    return digest.hexdigest()


def _attribute_files(root: Path, tracked: str, untracked: str,
                     ) -> Iterator[tuple[Path, Path | None]]:
    """Every file git reads attributes from, with the folder it must lie inside (``None``:
    the user's own file, anywhere)."""
    for output in (tracked, untracked):
        for relpath in _named_attributes(output):
            yield root / relpath, root
    info = _git_path(root, "info/attributes")
    if info is not None:
        yield info, None
    yield _user_attributes(root), None


def _named_attributes(output: str) -> Iterator[str]:
    """The ``.gitattributes`` paths of a ``-z`` listing (found by string search: the listing
    of a large repository is megabytes, and holds few of them)."""
    end = output.find(_ATTRIBUTES + "\0")
    while end >= 0:
        start = output.rfind("\0", 0, end) + 1
        path = output[start:end + len(_ATTRIBUTES)].rpartition("\t")[2]
        if path == _ATTRIBUTES or path.endswith("/" + _ATTRIBUTES):
            yield path
        end = output.find(_ATTRIBUTES + "\0", end + 1)


def _git_path(root: Path, name: str) -> Path | None:
    """Where ``name`` lies in the repository's git folder: ``.git/name`` for a plain
    repository, else as git says (a linked work tree, a submodule)."""
    folder = root / ".git"
    if folder.is_dir():
        return folder / name
    try:
        proc = run_git(root, ("rev-parse", "--git-path", name))
    except GitUnavailable:
        return None
    found = os.fsdecode(proc.stdout.rstrip(b"\n"))
    return (root / found) if proc.returncode == 0 and found else None


def _user_attributes(root: Path) -> Path:
    """The user's attributes file: ``core.attributesFile``, else git's default place."""
    for setting in checkout_settings(root):
        name, _, value = setting.partition("\n")
        if name.lower() == "core.attributesfile" and value:
            return Path(os.path.expanduser(value))
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(config_home, "git", "attributes")


def _content(path: Path, inside: Path | None) -> bytes:
    """The file's bytes, or a marker saying there are none to read."""
    try:
        return b"=" + read_limited(path, root=inside)
    except FileNotFoundError:
        return b"-"
    except (OSError, UnsafeFile) as exc:
        return b"!" + str(exc).encode("utf-8", "replace")
