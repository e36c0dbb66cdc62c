"""Files whose ids illustrate rather than configure: tests, documentation and examples.

A fine-tuned id in ``tests/``, ``test_ranker.py``, ``ranker_test.go``, ``docs/`` or
``examples/`` stands for a model in a test, a tutorial or a sample: no deployment reads it. It
is reported as an ``example`` (a note), as an id with a placeholder part is, and the inventory
shows it as one instead of a model about to shut down. Decided from the path relative to the
repository root, so the folders that hold the repository itself never count.
"""

from __future__ import annotations

import posixpath

EXAMPLE_FOLDERS = frozenset({
    "test", "tests", "__tests__", "__mocks__", "testdata", "spec", "specs",
    "doc", "docs", "example", "examples",
})
"""Folders (at any depth) whose files are tests, documentation or examples."""
_TEST_PREFIXES = ("test_",)
_TEST_SUFFIXES = ("_test.py", "_tests.py", "_test.go", "_spec.rb", "_test.rb")
_TEST_INFIXES = (".test.", ".spec.")
_TEST_NAMES = frozenset({"conftest.py"})


def is_example_path(path: str) -> bool:
    """Is the file at ``path`` (relative to its repository, with ``/``) a test, a document
    or an example, by its folders or its name?"""
    folder, name = posixpath.split(path.lower())
    if any(part in EXAMPLE_FOLDERS for part in folder.split("/")):
        return True
    return (name in _TEST_NAMES or name.startswith(_TEST_PREFIXES)
            or name.endswith(_TEST_SUFFIXES) or any(infix in name for infix in _TEST_INFIXES))
