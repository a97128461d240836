"""Make the README screenshots: the main window with the demo list, the equity charts, the
deprivation editions side by side, and the import dialog.

Run from the repository root: ``python docs/screenshots/take_screenshots.py``.
Uses a throwaway data folder and Qt's offscreen platform, so it touches no
settings and needs no display.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["WORKBENCH_DATA_DIR"] = tempfile.mkdtemp(prefix="workbench-screenshots-")

from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.app import make_application  # noqa: E402


def settle(app: QApplication, done, timeout: float = 60.0) -> None:
    """Run the event loop until ``done()`` and the workers are idle."""
    started = time.monotonic()
    while not done() and time.monotonic() - started < timeout:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


def main_window_shots(app: QApplication) -> None:
    from ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    window.start()
    settle(app, lambda: window.loaded is not None and not window.compute.is_busy())
    window.quality_dock.raise_()  # part 2 tabs its panels with this one: show the part 1 panel
    settle(app, lambda: True)
    window.grab().save(str(HERE / "main-window.png"))
    window.list_panel.set_finding("duplicate_pathway")
    settle(app, lambda: not window.compute.is_busy())
    window.grab().save(str(HERE / "main-window-finding.png"))
    window.show_imd_change()
    settle(app, lambda: getattr(window, "imd_change_dialog", None) is not None)
    window.imd_change_dialog.grab().save(str(HERE / "imd-change.png"))
    window.imd_change_dialog.close()
    window.list_panel.set_finding("")
    window.prioritisation.rules_dock.raise_()
    window.tabs.setCurrentWidget(window.prioritisation.equity)
    settle(app, lambda: not window.compute.is_busy())
    window.grab().save(str(HERE / "rules-and-equity.png"))
    window.close()


def import_dialog_shot(app: QApplication) -> None:
    from ui.import_dialog import ImportDialog
    from ui.workers import Worker

    folder = Path(tempfile.mkdtemp())
    source = folder / "weekly-ptl.csv"
    with open(source, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Pathway ID", "NHS Number", "TFC", "Priority", "Date put on list", "Hospital"])
        for i in range(30):
            writer.writerow([f"RTT{i:07d}", "943 476 5919", "110", "P3", f"{1 + i % 28:02d}/03/2025", "North General"])
    database, compute = Worker("database"), Worker("compute")
    dialog = ImportDialog(source, folder / "w.sqlite", database, compute)
    dialog.resize(1000, 760)
    dialog.show()
    settle(app, lambda: bool(dialog.headers))
    dialog.grab().save(str(HERE / "import-dialog.png"))
    dialog.close()
    database.shutdown()
    compute.shutdown()


if __name__ == "__main__":
    application = make_application(sys.argv)
    main_window_shots(application)
    import_dialog_shot(application)
    print(f"screenshots written to {HERE}")
