"""An index folder on disk: which generation is live, and the last change-log entry applied.

Layout: `<path>/CURRENT` names the live generation folder `<path>/ix-<time>`; a rebuild fills
a new folder and then replaces CURRENT (an atomic rename), so searches on the old folder keep
working meanwhile; the previous folder is kept until the next rebuild. Each generation folder
holds `SEQ`, the sequence number of the last change-log entry applied to it, written after
the engine's commit: a crash in between leaves SEQ behind the index, which only means a
harmless re-apply of the same changes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from index.backends.base import IndexLocked

POINTER = "CURRENT"
SEQ = "SEQ"
FORMAT = "FORMAT"
PREFIX = "ix-"
#: Held while the first generation (or one of a new format) is created, by one process at a time.
CREATING = ".create.lock"


@contextmanager
def file_lock(
    path: str | os.PathLike[str], timeout: float, waiting: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (across processes and threads).

    Waits at most `timeout` seconds, then raises IndexLocked; `waiting`, when given, is called
    once if another holds it (to say why nothing happens meanwhile). The lock is the kernel's
    (flock), so a process that dies lets go of it.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"another process held the index for {timeout:.0f} s ({path})"
                    ) from None
                if waiting is not None:
                    waiting()
                    waiting = None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class Folders:
    """The generations of one on-disk index."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def read_format(folder: Path) -> str:
        try:
            return (folder / FORMAT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def current(self) -> Path | None:
        """Return the live generation folder, or None before the first one exists."""
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        folder = self.root / name
        return folder if name.startswith(PREFIX) and folder.is_dir() else None

    def stamp(self) -> tuple[int, int] | None:
        """Return a cheap token that changes whenever CURRENT is replaced."""
        try:
            stat = (self.root / POINTER).stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    def creating(self, timeout: float) -> AbstractContextManager[None]:
        """Hold the lock under which a process creates a first generation (see file_lock).

        Several processes starting on an empty folder would otherwise each create one, and each
        one's make_current would remove the folder another is still opening.
        """
        return file_lock(self.root / CREATING, timeout)

    def new_folder(self, fmt: str = "") -> Path:
        """Create and return an empty generation folder (not yet live) for format `fmt`."""
        while True:
            folder = self.root / f"{PREFIX}{time.time_ns()}"
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            if fmt:
                write_atomically(folder / FORMAT, fmt)
            return folder

    def make_current(self, folder: Path) -> None:
        """Make `folder` the live generation (atomic), keeping the one it replaces.

        Only generations older than the replaced one are removed: a newer one may be a rebuild
        that another process is still filling (a crashed rebuild's folder goes one rebuild later).
        """
        previous = self.current()
        write_atomically(self.root / POINTER, folder.name)
        if previous is None:
            return
        keep = {folder.name, previous.name}
        for other in self.root.iterdir():
            if (
                other.name.startswith(PREFIX)
                and other.name not in keep
                and _made(other) < _made(previous)
                and other.is_dir()
            ):
                shutil.rmtree(other, ignore_errors=True)

    @staticmethod
    def read_seq(folder: Path) -> int:
        """Return the last applied sequence number recorded in `folder` (0 if none)."""
        try:
            return int((folder / SEQ).read_text(encoding="utf-8").strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    @staticmethod
    def seq_stamp(folder: Path) -> tuple[int, int]:
        """Return a cheap token that changes whenever SEQ is rewritten."""
        try:
            stat = (folder / SEQ).stat()
        except FileNotFoundError:
            return 0, 0
        return stat.st_ino, stat.st_mtime_ns

    @staticmethod
    def write_seq(folder: Path, seq: int) -> None:
        """Record `seq` as applied in `folder` (never moving it back)."""
        if seq > Folders.read_seq(folder):
            write_atomically(folder / SEQ, str(seq))


def _made(folder: Path) -> int:
    """Return when a generation folder was made (its name's nanoseconds; 0 if unreadable)."""
    try:
        return int(folder.name[len(PREFIX) :])
    except ValueError:
        return 0


def write_atomically(path: Path, data: str | bytes) -> None:
    """Replace the file `path` with `data` whole: readers see the old file or the new one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.time_ns()}")
    try:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
