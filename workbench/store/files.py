"""Writing output files whole or not at all, readable by their owner only.

A file is written under a hidden partial name beside its target and renamed
when whole. The partial file is created readable and writable by its owner
only (POSIX), and the renamed file keeps that: a patient-level export is never
readable by other users of the machine. While a partial file exists, a note in
the user's data folder names it; if the process is killed before the rename,
the next start of the app or the command line removes what it left
(:func:`remove_leftover_partials`), so no copy of a list lingers unseen.
"""

from __future__ import annotations

import json
import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from workbench.store.locking import _process_alive
from workbench.resources import user_data_folder
from workbench.errors import WorkbenchError

PARTIAL_NOTES = "partial-files"  # the data folder's sub-folder of notes naming partial files
PARTIAL_SUFFIX = ".partial"


def data_folder() -> Path:
    """The user's own data folder (:func:`workbench.resources.user_data_folder`): settings, the log,
    mapping profiles and pseudonym keys live there. Created, readable by its owner only, if missing."""
    folder = user_data_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@contextmanager
def replacing(path: str | os.PathLike, what: str = "the file") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; on success it replaces ``path``.

    A failed or cancelled write leaves no half-written file and ``path`` as it
    was; a file that cannot be written (often: open in Excel) is a
    :class:`WorkbenchError` in plain words, naming the file. The file is
    created readable by its owner only.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with replacing(target) as partial:
    ...     _ = partial.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}{PARTIAL_SUFFIX}")
    note = _note_partial(partial)
    try:
        create_private_file(partial)
        yield partial
        os.replace(partial, path)
    except OSError as error:
        raise WorkbenchError(
            f"{path.name}: could not write {what} ({error.strerror or error}); is it open in another program?"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
        if note is not None:
            note.unlink(missing_ok=True)


def create_private_file(path: Path) -> None:
    """An empty file at ``path``, readable and writable by its owner only (POSIX); one left
    there before (by a killed process) is replaced, so it cannot keep wider permissions."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _note_partial(partial: Path) -> Path | None:
    """A note in the data folder naming ``partial`` and this process; None if the data
    folder cannot be written (the file is still written, and removed if the write fails)."""
    try:
        folder = data_folder() / PARTIAL_NOTES
        folder.mkdir(exist_ok=True, mode=0o700)
        note = folder / f"{os.getpid()}-{secrets.token_hex(6)}.json"
        note.write_text(json.dumps({"pid": os.getpid(), "path": str(partial.resolve())}), encoding="utf-8")
        return note
    except OSError:
        return None


def remove_leftover_partials() -> list[Path]:
    """Remove the partial files that killed processes left; returns the files removed.

    Only files whose notes name a process that has ended, and whose names end
    in ``.partial``, are removed: a note cannot make it delete anything else.
    """
    folder = data_folder() / PARTIAL_NOTES
    removed = []
    for note in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            written = json.loads(note.read_text(encoding="utf-8"))
            pid, partial = int(written["pid"]), Path(written["path"])
        except (OSError, ValueError, KeyError, TypeError):
            note.unlink(missing_ok=True)
            continue
        if pid == os.getpid() or _process_alive(pid):
            continue  # still being written
        if partial.name.endswith(PARTIAL_SUFFIX) and partial.is_file():
            partial.unlink(missing_ok=True)
            removed.append(partial)
        note.unlink(missing_ok=True)
    return removed
