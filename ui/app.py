"""Start the desktop app: ``python main.py [FILE]`` (or ``workbench-gui [FILE]``).

With no file it reopens the last workspace, or the bundled demo list the first
time. FILE may be a waiting list (imported straight away if every required
column is recognised, else through the import dialog) or a workspace file.

``--self-test`` checks an installation: the app starts, opens FILE (or what it
would open anyway), prints how many rows it shows and closes; exit status 1 if
no list was shown within two minutes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QStyleFactory

from ui import errors, settings
from ui.wheel_guard import install_wheel_guard
from workbench.errors import setup_logging
from workbench.store.files import data_folder, remove_leftover_partials

SELF_TEST = "--self-test"
SELF_TEST_LIMIT_MS = 120_000


def make_application(argv: list[str]) -> QApplication:
    """The QApplication, named for settings and data paths; desktop fonts and colours left alone."""
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(settings.ORGANISATION)
    app.setApplicationName(settings.APPLICATION)
    app.setApplicationDisplayName(settings.APPLICATION)
    # Fusion draws the same on every desktop but takes the system palette and
    # font, so a high-contrast theme and a larger font still apply.
    if "Fusion" in QStyleFactory.keys():
        app.setStyle("Fusion")
    install_wheel_guard(app)  # the wheel changes no value unless its control has focus
    return app


def file_argument(argv: list[str]) -> Path | None:
    """The file named on the command line, if any (Qt's own options are removed by QApplication).

    >>> file_argument(["main.py", "list.csv"]).name, file_argument(["main.py"])
    ('list.csv', None)
    """
    names = [a for a in argv[1:] if not a.startswith("-")]
    return Path(names[0]) if names else None


def main(argv: list[str] | None = None) -> int:
    """Run the app until the window closes; returns the exit status."""
    argv = list(sys.argv if argv is None else argv)
    created = QApplication.instance() is None
    app = make_application(argv)
    # A new QApplication strips its own options (-platform offscreen ...) from arguments().
    arguments = app.arguments() if created else argv
    setup_logging(data_folder())
    errors.install_excepthook()
    remove_leftover_partials()  # what an export or a copy killed mid-write left behind
    from ui.main_window import MainWindow  # after the QApplication exists

    window = MainWindow()
    if SELF_TEST in arguments:
        close_once_loaded(window)
    window.show()
    window.start(file_argument(arguments))
    app.main_window = window  # reachable by tests and part 2; keeps the window alive
    return app.exec()


def close_once_loaded(window) -> None:
    """For ``--self-test``: print the rows of the first list the window shows, then close it."""

    def report(loaded) -> None:
        rows = len(loaded.wl) if loaded.wl is not None else 0
        print(f"self-test: {rows} rows shown from {loaded.source_name or loaded.file.path.name}", flush=True)
        window.close()

    window.workspaceLoaded.connect(report)
    QTimer.singleShot(SELF_TEST_LIMIT_MS, lambda: QApplication.instance().exit(1))
