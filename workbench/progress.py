"""Progress reporting and cancellation for long work, without Qt.

Long-running core functions take ``progress`` and ``cancelled`` callables::

    def import_file(path, ..., progress=no_progress, cancelled=never):
        for i, chunk in enumerate(chunks):
            check(cancelled)
            progress(i / n, "Reading rows")

The desktop app passes callables that forward to Qt signals; the command line
and the tests pass plain functions.
"""

from __future__ import annotations

from typing import Callable

Progress = Callable[[float, str], None]
CancelCheck = Callable[[], bool]


class Cancelled(Exception):
    """Raised inside long work when the user pressed Cancel."""


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores everything."""


def never() -> bool:
    """A cancel check that never cancels."""
    return False


def check(cancelled: CancelCheck) -> None:
    """Raise :class:`Cancelled` if the user asked to stop."""
    if cancelled():
        raise Cancelled("Cancelled by the user")


def scaled(progress: Progress, start: float, end: float) -> Progress:
    """A progress callback mapping 0..1 onto ``start..end`` of ``progress``.

    >>> seen = []
    >>> scaled(lambda f, m: seen.append(f), 0.5, 1.0)(0.5, "half")
    >>> seen
    [0.75]
    """
    span = end - start
    return lambda fraction, message: progress(start + span * fraction, message)
