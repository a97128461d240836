"""Writing output files whole or not at all."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from workbench.progress import WorkbenchError


@contextmanager
def replacing(path: str | os.PathLike, what: str = "the file") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; on success it replaces ``path``.

    A failed or cancelled write leaves no half-written file and ``path`` as it
    was; a file that cannot be written (often: open in Excel) is a
    :class:`WorkbenchError` in plain words, naming the file.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with replacing(target) as partial:
    ...     _ = partial.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        os.replace(partial, path)
    except OSError as error:
        raise WorkbenchError(
            f"{path.name}: could not write {what} ({error.strerror or error}); is it open in another program?"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
