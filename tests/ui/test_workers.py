"""The background worker: results, plain-words failures, cancel and latest-wins."""

import threading

import pytest

from ui.workers import Worker
from workbench.progress import check
from workbench.errors import WorkbenchError, setup_logging


@pytest.fixture
def worker(qtbot):
    worker = Worker("test")
    yield worker
    assert worker.shutdown(5000)


def test_result_and_progress_arrive_on_the_gui_thread(qtbot, worker):
    seen = []

    def work(progress, cancelled):
        progress(1.0, "done")
        return threading.current_thread() is threading.main_thread()

    task = worker.submit(work)
    task.progress.connect(lambda f, m: seen.append((f, m, threading.current_thread() is threading.main_thread())))
    with qtbot.waitSignal(task.finished) as blocker:
        pass
    assert blocker.args == [False]  # the work itself ran off the GUI thread
    assert seen == [(1.0, "done", True)]


def test_a_user_error_fails_with_its_message(qtbot, worker):
    def work(progress, cancelled):
        raise WorkbenchError("list.csv: the file is empty")

    task = worker.submit(work)
    with qtbot.waitSignal(task.failed) as blocker:
        pass
    assert blocker.args == ["list.csv: the file is empty"]


def test_an_unexpected_error_is_logged_without_its_values(qtbot, worker, tmp_path):
    log_path = setup_logging(tmp_path)

    def work(progress, cancelled):
        raise KeyError("9434765919")

    task = worker.submit(work)
    with qtbot.waitSignal(task.failed) as blocker:
        pass
    assert "log file" in blocker.args[0].lower() and "9434765919" not in blocker.args[0]
    logged = log_path.read_text()
    assert "KeyError" in logged and "9434765919" not in logged and "test_workers.py" in logged


def test_cancel_stops_running_work(qtbot, worker):
    started = threading.Event()

    def work(progress, cancelled):
        started.set()
        while True:
            check(cancelled)

    task = worker.submit(work)
    assert started.wait(5)
    with qtbot.waitSignal(task.cancelled):
        task.cancel()


def test_latest_request_in_a_lane_wins(qtbot, worker):
    release = threading.Event()
    results = []

    def slow(progress, cancelled):
        release.wait(5)
        return "old"  # never checks: its result must still be dropped

    old = worker.submit(slow, lane="rank")
    new = worker.submit(lambda progress, cancelled: "new", lane="rank")
    old.finished.connect(results.append)
    new.finished.connect(results.append)
    with qtbot.waitSignals([old.cancelled, new.finished]):
        release.set()
    assert results == ["new"]
    assert not worker.is_busy()
