"""Start the desktop app (placeholder window until the main window lands)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication(argv or sys.argv)
    window = QMainWindow()
    window.setWindowTitle("Prioritisation workbench")
    window.show()
    return app.exec()
