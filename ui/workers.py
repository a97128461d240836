"""Run long core work off the GUI thread, with throttled progress, cancel and "latest wins".

A core function takes ``progress(fraction, message)`` and ``cancelled()``
keywords (see :mod:`workbench.progress`). :meth:`Worker.submit` runs it on the
worker's own thread and returns a :class:`Task` whose signals arrive on the GUI
thread::

    task = worker.submit(functools.partial(import_file, path, workspace), lane="import")
    task.progress.connect(bar.set_progress)
    task.finished.connect(self._on_imported)

Each :class:`Worker` has exactly one thread, so work sent to the same worker runs
in order; the app sends everything that touches a workspace file to one worker
(one thread owns database writes). Submitting to a ``lane`` cancels the task
already in that lane: the latest request wins and stale results are dropped.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from ui.errors import describe_failure
from workbench.progress import Cancelled

PROGRESS_INTERVAL = 0.05  # seconds between progress signals: a bar need not move faster


class Task(QObject):
    """One piece of work sent to a :class:`Worker`.

    Exactly one of ``finished(result)``, ``failed(message)`` or ``cancelled()`` is
    emitted, then ``ended()``; all on the GUI thread. ``failed`` carries a
    message in plain words, never a traceback.
    """

    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()
    _reported = Signal(str, object)  # from the worker thread: (kind, payload)

    def __init__(self, description: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self.description = description
        self.is_done = False
        self._stop = threading.Event()
        # Queued: the slot runs on this object's (GUI) thread whichever thread emits.
        self._reported.connect(self._on_reported, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        """Ask the work to stop; it raises Cancelled at its next check."""
        self._stop.set()

    def is_cancelled(self) -> bool:
        """Thread-safe: the work's ``cancelled()`` callable."""
        return self._stop.is_set()

    @Slot(str, object)
    def _on_reported(self, kind: str, payload: Any) -> None:
        if self.is_done:
            return
        if kind == "progress":
            self.progress.emit(*payload)
            return
        self.is_done = True
        if kind == "finished":
            self.finished.emit(payload)
        elif kind == "failed":
            self.failed.emit(payload)
        else:
            self.cancelled.emit()
        self.ended.emit()


class _Job(QRunnable):
    """Runs one task's function on the pool thread and reports back by signal."""

    def __init__(self, task: Task, fn: Callable[..., Any]):
        super().__init__()
        self.setAutoDelete(False)  # the Worker keeps it alive until the task ends
        self.task = task
        self.fn = fn
        self._last_progress = 0.0

    def run(self) -> None:
        report = self.task._reported.emit
        if self.task.is_cancelled():
            report("cancelled", None)
            return
        try:
            result = self.fn(progress=self._progress, cancelled=self.task.is_cancelled)
        except Cancelled:
            report("cancelled", None)
        except Exception as error:  # every failure becomes a message; unexpected ones are logged
            report("failed", describe_failure(error))
        else:
            # A superseded task's result is stale even if the work never checked.
            report("cancelled" if self.task.is_cancelled() else "finished", result)

    def _progress(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_INTERVAL or fraction >= 1.0:
            self._last_progress = now
            self.task._reported.emit("progress", (float(fraction), message))


class Worker(QObject):
    """A single background thread that runs core functions one after another.

    Invariant: at most one task per lane is live; ``_jobs`` holds every task
    that has not ended (so neither the task nor its runnable is collected early).
    """

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # keep the one thread: it owns the work's connections
        self._jobs: dict[Task, _Job] = {}
        self._lanes: dict[str, Task] = {}

    def submit(self, fn: Callable[..., Any], lane: str | None = None, description: str = "") -> Task:
        """Run ``fn(progress=..., cancelled=...)`` on this worker's thread.

        If ``lane`` is given, the task already in that lane is cancelled first.
        """
        if lane is not None and lane in self._lanes:
            self._lanes[lane].cancel()
        task = Task(description, self)
        job = _Job(task, fn)
        self._jobs[task] = job
        if lane is not None:
            self._lanes[lane] = task
        task.ended.connect(lambda: self._forget(task, lane))
        self._pool.start(job)
        return task

    def is_busy(self) -> bool:
        """True while any task has not ended."""
        return bool(self._jobs)

    def cancel_all(self) -> None:
        for task in list(self._jobs):
            task.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the thread to finish (on quit)."""
        self.cancel_all()
        return self._pool.waitForDone(timeout_ms)

    def _forget(self, task: Task, lane: str | None) -> None:
        self._jobs.pop(task, None)
        if lane is not None and self._lanes.get(lane) is task:
            del self._lanes[lane]
        task.deleteLater()
