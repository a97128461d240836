"""Make the README screenshots: the main window with the demo list, the equity charts, the
deprivation editions side by side, the import dialog; and the window at the sizes of the screens
workshops use: 1920x1080, and workshop mode on a 1280x720 projector.

Run from the repository root: ``python docs/screenshots/take_screenshots.py``.
Uses a throwaway data folder and Qt's offscreen platform with a 1920x1080 screen,
so it touches no settings and needs no display.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
SCREEN = Path(tempfile.mkdtemp(prefix="workbench-screen-")) / "screen.json"
SCREEN.write_text(json.dumps({"screens": [{"name": "screen", "x": 0, "y": 0, "width": 1920, "height": 1080,
                                           "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={SCREEN}")
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
    window.show()
    window.start()
    window.resize(1400, 900)
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


def sized_shots(app: QApplication) -> None:
    """The window filling a 1920x1080 screen, then in workshop mode on a 1280x720 projector."""
    from ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    window.start()
    controller = window.prioritisation
    settle(app, lambda: controller.result is not None and not window.compute.is_busy())
    window.showNormal()
    for size, workshop in (((1920, 1080), False), ((1280, 720), True)):
        window.resize(*size)
        controller.set_workshop_mode(workshop)
        name = f"workshop-{size[0]}x{size[1]}" if workshop else f"{size[0]}x{size[1]}"
        for page, shot in ((controller.ranked_page, "prioritised"), (controller.equity, "equity")):
            window.tabs.setCurrentWidget(page)
            controller.ranked.select_position(int(controller.result.ranking.order[2]))
            settle(app, lambda: not window.compute.is_busy())
            window.grab().save(str(HERE / f"{name}-{shot}.png"))
    dialog = controller.open_pairwise()
    settle(app, lambda: dialog.isVisible())
    dialog.grab().save(str(HERE / "workshop-1280x720-pairwise.png"))
    dialog.close()
    controller.set_workshop_mode(False)
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
    sized_shots(application)
    import_dialog_shot(application)
    print(f"screenshots written to {HERE}")
