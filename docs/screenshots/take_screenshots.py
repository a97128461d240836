"""Make the README screenshots: the main window with the demo list, the equity charts, the
deprivation editions side by side, the import dialog, edited rules and their decision record,
the help page and About; the Trends tab over twelve weekly snapshots; and the window at the sizes of the screens workshops use: 1920x1080,
and workshop mode on a 1280x720 projector.

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


def edited_rules_and_help_shots(app: QApplication) -> None:
    """Rules edited in the app, the first page of their decision record (rendered with pypdfium2, a
    test requirement), the help page and About."""
    import pypdfium2
    from PySide6.QtGui import QImage

    from ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1280, 720)
    window.show()
    window.start()
    controller = window.prioritisation
    settle(app, lambda: controller.result is not None and controller.state is not None)
    controller.rules.editors["Carer"].spin.setValue(2.5)
    controller.rules.editors["Most deprived fifth"].spin.setValue(2.3)
    settle(app, lambda: controller.result.rule_set == controller.rules.rule_set and controller.comparison is not None)
    window.prioritisation.rules_dock.raise_()
    window.grab().save(str(HERE / "edited-rules.png"))
    exported = []
    controller.reportExported.connect(lambda html, pdf: exported.append(pdf))
    controller.export_report(Path(tempfile.mkdtemp()) / "record")
    settle(app, lambda: bool(exported))
    document = pypdfium2.PdfDocument(str(exported[0]))
    pixels = document[0].render(scale=1.4, rev_byteorder=True).to_numpy()[..., :3].copy()
    document.close()
    height, width, _ = pixels.shape
    QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888).save(str(HERE / "decision-record-edited.png"))
    help_window = window.show_help()
    settle(app, lambda: True)
    help_window.grab().save(str(HERE / "help-figures.png"))
    help_window.close()
    window._show_about()
    settle(app, lambda: window.about_box.isVisible())
    window.about_box.grab().save(str(HERE / "about.png"))
    window.about_box.close()
    window.close()


def trends_shot(app: QApplication) -> None:
    """Twelve weekly snapshots of a 5,000-row list ending today, a rule set adopted today, on the Trends tab."""
    from datetime import date, timedelta

    from ui.main_window import MainWindow
    from workbench.demo_weeks import import_week, weekly_lists
    from workbench.rank.bundled_rules import treat_in_turn
    from workbench.store import decisions
    from workbench.store.workspace import Workspace
    from workbench.store.workspace_files import SAVED, WorkspaceFile

    folder = Path(tempfile.mkdtemp(prefix="workbench-weeks-"))
    workspace = folder / "weeks.sqlite"
    for week in weekly_lists(rows=5000, weeks=12, start=date.today() - timedelta(weeks=11)):
        import_week(week, workspace, folder)
    with Workspace.open(workspace) as ws:
        decisions.record_decision(ws, "Service manager", "Adopted for the quarter", "", treat_in_turn())
    window = MainWindow()
    window.show()
    window.resize(1400, 900)
    shown = []
    window.trends.pageShown.connect(lambda *_: shown.append(True))
    window.show_workspace(WorkspaceFile(workspace, SAVED))
    window.tabs.setCurrentWidget(window.trends.panel)
    settle(app, lambda: bool(shown) and not window.compute.is_busy(), timeout=120)
    window.grab().save(str(HERE / "trends.png"))
    window.close()


if __name__ == "__main__":
    application = make_application(sys.argv)
    main_window_shots(application)
    sized_shots(application)
    import_dialog_shot(application)
    edited_rules_and_help_shots(application)
    trends_shot(application)
    print(f"screenshots written to {HERE}")
