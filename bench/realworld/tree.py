#!/usr/bin/env python3
"""Write a fetched repository's tree at a commit into a folder, by reading git objects.

    python bench/realworld/tree.py owner/name [COMMIT]   # prints the folder

The snapshot is read from ``$FTSCAN_MIRRORS`` (default ``/work/.mirror``); nothing of the
snapshot's own configuration, hooks or filters runs (no checkout). Without COMMIT, the
snapshot's HEAD. The tree lands under ``/tmp/ftscan-clones`` like ``run.py``'s.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Repo, git, materialise  # noqa: E402


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    mirrors = Path(os.environ.get("FTSCAN_MIRRORS", "/work/.mirror"))
    name = argv[0]
    commit = argv[1] if len(argv) == 2 else git(
        mirrors / name.replace("/", "+") / "repo", "rev-parse", "HEAD").decode().strip()
    print(materialise(Repo(name, commit, ""), mirrors, Path("/tmp/ftscan-clones")))
    print(commit, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
