"""The core must stay importable without Qt (the command line and tests depend on it)."""

import pkgutil
import subprocess
import sys

import workbench


def test_core_never_imports_qt():
    modules = [m.name for m in pkgutil.walk_packages(workbench.__path__, "workbench.")]
    modules = [m for m in modules if not m.endswith("__main__")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'ui')]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
    assert len(modules) > 3
