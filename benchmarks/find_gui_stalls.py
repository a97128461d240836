"""Find what blocks the GUI thread: a watchdog samples the GUI thread's stack whenever it stalls.

    QT_QPA_PLATFORM=offscreen python benchmarks/find_gui_stalls.py

Opens the 1M-row benchmark workspace (see bench_gui.py), searches the list, and
prints the most frequent innermost stacks seen while the event loop was blocked
for more than 150 ms. A stack ending in processEvents means the time went in
Qt's own C++ code (layout, painting) or in waiting for the GIL.
"""
import os, sys, threading, time, traceback
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE)); sys.path.insert(0, HERE)
import bench_gui as B
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from workbench.store.workspace_files import SAVED, WorkspaceFile
path = B.build_workspace(1_000_000)
app = QApplication([])
from ui.main_window import MainWindow
beat = [time.perf_counter()]
t = QTimer(); t.setInterval(10); t.timeout.connect(lambda: beat.__setitem__(0, time.perf_counter())); t.start()
main_id = threading.get_ident()
seen = {}
watching = [False]  # only after the window is built: building it is not the stall we look for
def watch():
    while True:
        time.sleep(0.05)
        if watching[0] and time.perf_counter() - beat[0] > 0.15:
            frame = sys._current_frames().get(main_id)
            stack = "".join(traceback.format_stack(frame, limit=25))
            key = stack[-2500:]
            seen[key] = seen.get(key, 0) + 1
threading.Thread(target=watch, daemon=True).start()
w = MainWindow(); w.resize(1400, 900); w.show()
B.settle(app, 1.0)
watching[0] = True
w.show_workspace(WorkspaceFile(path, SAVED))
B.settle(app, 3.0)
w.list_panel.set_search("943")
B.settle(app, 3.0)
w.close()
for k, v in sorted(seen.items(), key=lambda kv: -kv[1])[:4]:
    print("=== samples:", v); print(k)
