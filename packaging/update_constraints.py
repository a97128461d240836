"""Write packaging/constraints.txt: the exact versions CI tests and the builds use.

    python3 packaging/update_constraints.py

Installs the newest releases that pyproject.toml allows (the app, its test and
portable extras, and the wheel builder) into a throw-away venv and writes down
what it got; then adds the packages only Windows needs (PyInstaller's there),
at the versions Windows gets beside those pins. Run it with the Python CI uses,
then run .ci/run and commit the file with the change that needed it (README,
"Pinned versions").
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "packaging" / "constraints.txt"
PROJECT = "prioritisation-workbench"
EVERYTHING = [f"{ROOT}[test,portable]", "build"]
HEADER = """\
# The exact versions CI tests (.ci/run), the portable build and the offline bundle use.
# Written by packaging/update_constraints.py with Python {python} on {system}; the lines
# marked win32 are what Windows adds beside them. How to move them: README, "Pinned versions".
"""


def canonical(name: str) -> str:
    """A package name as pip compares them: ``PySide6_Essentials`` is ``pyside6-essentials``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pip(venv: Path, *arguments: str) -> str:
    done = subprocess.run([str(venv / "bin" / "pip"), *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"pip {' '.join(arguments[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def newest_pins(venv: Path) -> list[str]:
    """``name==version`` of every package the newest allowed install brings (the project left out)."""
    pip(venv, "install", "--quiet", *EVERYTHING)
    frozen = pip(venv, "freeze", "--exclude", PROJECT).splitlines()
    return sorted((line for line in frozen if "==" in line), key=str.lower)


# Run in the throw-away venv: the requirements its packages make on Windows alone.
WINDOWS_ONLY = """
from importlib.metadata import distributions
from packaging.requirements import Requirement
windows = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "extra": ""}
for dist in distributions():
    for text in dist.requires or []:
        need = Requirement(text)
        if need.marker and need.marker.evaluate(windows) and not need.marker.evaluate({"extra": ""}):
            need.marker = None
            print(need)
"""


def windows_additions(venv: Path, pins: list[str], scratch: Path) -> list[str]:
    """Pins of the packages Windows needs beyond ``pins`` (with ``pins`` held), marked for Windows."""
    asked = subprocess.run([str(venv / "bin" / "python"), "-c", WINDOWS_ONLY], capture_output=True, text=True,
                           check=True).stdout.split()
    held, report = scratch / "held.txt", scratch / "windows.json"
    held.write_text("\n".join(pins) + "\n")
    python = ".".join(platform.python_version_tuple()[:2])
    pip(venv, "install", "--dry-run", "--quiet", "--ignore-installed", "--report", str(report),
        "--target", str(scratch / "unused"), "--platform", "win_amd64", "--python-version", python,
        "--only-binary=:all:", "-c", str(held), *asked)
    known = {canonical(pin.split("==")[0]) for pin in pins}
    chosen = [item["metadata"] for item in json.loads(report.read_text())["install"]]
    return sorted(f'{m["name"]}=={m["version"]} ; sys_platform == "win32"' for m in chosen
                  if canonical(m["name"]) not in known)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="workbench-constraints-") as scratch:
        venv = Path(scratch) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pins = newest_pins(venv)
        lines = pins + windows_additions(venv, pins, Path(scratch))
    header = HEADER.format(python=platform.python_version(), system=platform.system())
    CONSTRAINTS.write_text(header + "\n".join(lines) + "\n")
    print(f"wrote {len(lines)} pins to {CONSTRAINTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
