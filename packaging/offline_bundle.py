"""Gather the workbench's wheel and every wheel it needs into one folder, for installing offline.

    python3 packaging/offline_bundle.py FOLDER [--python-version 3.12] [--system windows]

The folder gets the project's own wheel and, at the versions of
packaging/constraints.txt, every dependency's wheel for Windows (x86-64) and
Linux (x86-64, glibc 2.34 or newer, as PySide6 6.11 needs), for the Python version(s) named (default:
the one running this script). Copied to a machine with no network, it installs
with ``pip install --no-index --find-links FOLDER prioritisation-workbench``
into a user's own venv (README, "Offline install"). Gathering needs the package
index; installing does not.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "packaging" / "constraints.txt"
GLIBC_MINOR = 34
# pip takes a wheel only if its tag is named, so name every glibc up to 2.34.
PLATFORM_TAGS = {
    "windows": ["win_amd64"],
    "linux": [f"manylinux_2_{minor}_x86_64" for minor in range(GLIBC_MINOR, 4, -1)]
    + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"],
}


def pip(*arguments: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *arguments], check=True)


def build_project_wheel(folder: Path) -> Path:
    """The project's own wheel, built into ``folder``."""
    pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(folder), str(ROOT))
    return max(folder.glob("prioritisation_workbench-*.whl"), key=lambda wheel: wheel.stat().st_mtime)


def download_dependencies(wheel: Path, folder: Path, system: str, python_version: str) -> None:
    # pip judges environment markers for the machine it runs on; no dependency of the
    # app today is needed on Windows alone that is not also needed here (colorama is, by pyqtgraph).
    tags = [option for tag in PLATFORM_TAGS[system] for option in ("--platform", tag)]
    pip("download", "--quiet", "--dest", str(folder), "--constraint", str(CONSTRAINTS), "--only-binary=:all:",
        *tags, "--python-version", python_version, "--implementation", "cp", str(wheel))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to put the wheels (made if missing)")
    parser.add_argument("--python-version", action="append", metavar="X.Y",
                        help="Python version of the machines that will install it (repeat for several)")
    parser.add_argument("--system", action="append", choices=sorted(PLATFORM_TAGS),
                        help="windows or linux (repeat for both; default both)")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    wheel = build_project_wheel(args.folder)
    for system in args.system or sorted(PLATFORM_TAGS):
        for version in args.python_version or [".".join(platform.python_version_tuple()[:2])]:
            print(f"gathering wheels for {system}, Python {version}", flush=True)
            download_dependencies(wheel, args.folder, system, version)
    count = len(list(args.folder.glob("*.whl")))
    print(f"{count} wheels in {args.folder}: install with "
          f"pip install --no-index --find-links {args.folder} prioritisation-workbench")
    return 0


if __name__ == "__main__":
    sys.exit(main())
