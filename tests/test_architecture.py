"""The architecture, checked by a machine: the core stays Qt-free, its stages import in the order a
list flows through them (import-linter's contracts in pyproject.toml), and the app uses no private
name of another module."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import workbench

ROOT = Path(__file__).resolve().parent.parent


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


def test_the_import_contracts_are_kept():
    """pyproject.toml's contracts: no Qt in the core; read, check, store, view, rank, compare, report in order.
    In a process of its own: import-linter configures logging as it starts, which would silence the
    workbench's log for the tests after it."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``from x import _name`` and imports of ``_private`` modules of another module, in one file."""
    own = ".".join(path.relative_to(root).with_suffix("").parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module != own:
            names = [alias.name for alias in node.names if alias.name.startswith("_")]
            modules = [part for part in node.module.split(".") if part.startswith("_") and part != "__future__"]
            found += [f"{path.name}: from {node.module} import {name}" for name in names + modules[:1]]
        if isinstance(node, ast.Import):
            found += [f"{path.name}: import {a.name}" for a in node.names if any(p.startswith("_") for p in a.name.split("."))]
    return found


def test_the_app_imports_no_private_name_of_another_module(tmp_path):
    (tmp_path / "probe.py").write_text("from workbench.commands._ranked import rules_from_argument\n"
                                       "from ui.list_model import _helper\n")
    assert len(private_imports(tmp_path / "probe.py", tmp_path)) == 2  # the check sees both kinds
    found = [line for path in sorted((ROOT / "ui").glob("*.py")) for line in private_imports(path)]
    assert found == []

