"""Write an output file atomically: a temporary file beside it, then one rename.

A path that is no regular file (``--output /dev/null``, ``/dev/stdout``, a FIFO) is written
to as it is: a rename would replace the device with a file (as root, ``/dev/null`` itself).

A write killed before its rename (a CI step's time-out, the OOM killer: no handler runs) leaves
its temporary file, ``.NAME.PID-XXXXXXXX.tmp``, as large as the report. The next write of the
same file removes the temporary files of writers that no longer run, so a killed write costs
disk space until the command runs again, never a stray file for good. (Linux can write a file
without a name, but naming it afterwards goes through ``/proc`` links that sandboxes and some
containers refuse; the rename of a named file works everywhere.)
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def _umask() -> int:
    """The process's umask (reading it means setting it: it is put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str | bytes, private: bool = False) -> None:
    """Replace ``path`` with ``text`` (UTF-8, or bytes as they are) so that readers see the old
    file or the new, never half. The file gets the permissions any new file of the user gets
    (``0o666`` less the umask), as ``open()`` would give it; ``private`` keeps it to the owner
    (the scan cache)."""
    folder = path.parent if str(path.parent) else Path(".")
    data = text.encode("utf-8") if isinstance(text, str) else text
    if _special(path):
        with open(path, "wb") as handle:
            handle.write(data)
        return
    _remove_leftovers(folder, path.name)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp",
                                dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(temp, 0o600 if private else 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _special(path: Path) -> bool:
    """Is ``path`` something other than a regular file (a device, a FIFO, a terminal)?"""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:  # not there yet (or a broken link): a new regular file
        return False


def _remove_leftovers(folder: Path, name: str) -> None:
    """Remove the temporary files that earlier writes of ``name`` left in ``folder`` when they
    were killed: those whose writing process no longer runs. Only where a process can be asked
    whether it runs without being touched (POSIX: on Windows, signal 0 is Ctrl-C)."""
    if os.name != "posix":
        return
    prefix = f".{name}."
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        pid, dash, _ = entry[len(prefix):].partition("-")
        if (entry.startswith(prefix) and entry.endswith(".tmp") and dash and pid.isdigit()
                and not _running(int(pid))):
            with contextlib.suppress(OSError):
                os.unlink(folder / entry)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # EPERM: it runs, as another user; or not a pid
        return True
    return True
