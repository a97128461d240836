"""Smoke test of an installed workbench: a venv it was installed into, or the portable build.

    python packaging/smoke_test.py venv VENV      (installed from the wheel or the offline bundle)
    python packaging/smoke_test.py portable dist/prioritisation-workbench

It works in a temporary folder (never the checkout) with a home folder of its
own, and checks that

- every file under resources/ was installed, byte for byte;
- the desktop app starts headless on the bundled demo list and closes
  (``workbench-gui --self-test``);
- the command line makes a list, imports it, writes the validation worklist,
  ranks and exports with every bundled rule set, and assesses equity.

The portable build is first copied into a folder whose name has a space in it
(as a user's own folder or a USB stick might) and run from there. It must leave
that folder exactly as it found it and, where strace works, open no socket and
write only to the user's data folder, the work folder (the outputs it was asked
for) and the temporary folder.

Prints one line per check and exits with status 1 at the first failure. Needs
only the standard library, so any Python 3.9 or newer can run it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
WINDOWS = sys.platform == "win32"
LIST_ROWS = 2000
TRACED_CALLS = "socket,connect,open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,rmdir"
WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC")
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


class SmokeTestFailed(Exception):
    """One check failed: the message says which and what was seen."""


def report(message: str) -> None:
    print(f"ok: {message}", flush=True)


class Installed:
    """An installed workbench and the folders it is run with.

    ``commands`` holds ``workbench`` and ``workbench-gui``; ``bundled`` is where
    the installation keeps the files of resources/. Each command runs in
    ``work`` with ``home`` as the user's home and ``temp`` as the temporary folder.
    """

    def __init__(self, commands: Path, bundled: Path, scratch: Path, trace: bool):
        self.commands, self.bundled = commands, bundled
        self.work, self.home, self.temp = (scratch / name for name in ("work", "home", "temp"))
        for folder in (self.work, self.home, self.temp):
            folder.mkdir()
        self.trace_files: list[Path] = []
        self.trace = trace

    def data_folder(self) -> Path:
        """Where the workbench keeps its data for this home (as workbench/read/mapping.py decides)."""
        if WINDOWS:
            return self.home / "AppData" / "Roaming" / "PrioritisationWorkbench"
        return self.home / ".local" / "share" / "prioritisation-workbench"

    def environment(self) -> dict[str, str]:
        unset = {"PYTHONPATH", "PYTHONHOME", "WORKBENCH_DATA_DIR", "VIRTUAL_ENV"}
        environment = {key: value for key, value in os.environ.items() if key not in unset}
        environment.update(HOME=str(self.home), USERPROFILE=str(self.home), APPDATA=str(self.home / "AppData" / "Roaming"),
                           TMPDIR=str(self.temp), TEMP=str(self.temp), TMP=str(self.temp), QT_QPA_PLATFORM="offscreen")
        return environment

    def run(self, command: str, *arguments: str) -> str:
        """Run one installed command in the work folder; its standard output, or a failure."""
        line = [str(self.commands / (command + (".exe" if WINDOWS else ""))), *arguments]
        if self.trace:
            self.trace_files.append(self.temp.parent / f"trace-{len(self.trace_files)}.txt")
            line = ["strace", "-f", "-qq", "-e", f"trace={TRACED_CALLS}", "-e", "signal=none",
                    "-o", str(self.trace_files[-1]), *line]
        done = subprocess.run(line, cwd=self.work, env=self.environment(), capture_output=True, text=True,
                              timeout=300)
        if done.returncode != 0:
            raise SmokeTestFailed(f"{command} {' '.join(arguments)} exited {done.returncode}:\n{done.stderr[-3000:]}")
        return done.stdout


def files_under(folder: Path) -> dict[str, Path]:
    """Every file under ``folder`` by its path relative to it (byte-code caches left out)."""
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts}


def check_bundled_files(installed: Installed) -> None:
    expect(not installed.bundled.is_relative_to(ROOT), f"{installed.bundled}: the data is read from the checkout")
    shipped = files_under(RESOURCES)
    for name, source in shipped.items():
        copy = installed.bundled / name
        expect(copy.is_file() and copy.read_bytes() == source.read_bytes(),
               f"resources/{name} is missing or different in {installed.bundled}")
    report(f"all {len(shipped)} files of resources/ are installed in {installed.bundled}")


def check_app_opens_the_demo(installed: Installed) -> None:
    with open(RESOURCES / "demo" / "demo-waiting-list.csv", newline="", encoding="utf-8-sig") as demo:
        demo_rows = sum(1 for _ in csv.reader(demo)) - 1
    said = installed.run("workbench-gui", "--self-test")
    expect(f"self-test: {demo_rows} rows shown from demo-waiting-list.csv" in said,
           f"workbench-gui --self-test did not show the {demo_rows}-row demo list: {said!r}")
    expect((installed.data_folder() / "settings.ini").is_file(),
           f"the app kept no settings in the data folder {installed.data_folder()}")
    report(f"the app started headless, showed the {demo_rows}-row demo list and closed")


def check_command_line(installed: Installed) -> None:
    run = partial(installed.run, "workbench")
    run("demo", "--rows", str(LIST_ROWS), "--out", "list.csv")
    imported = json.loads(run("import", "list.csv", "--workspace", "ward.sqlite", "--census-date", "2026-11-01",
                              "--json"))
    expect(imported["rows_stored"] == LIST_ROWS, f"import stored {imported['rows_stored']} rows")
    checked = json.loads(run("validate", "--workspace", "ward.sqlite", "--out", "worklist.xlsx", "--json"))
    expect(checked["rows"] == LIST_ROWS and checked["findings"], f"validate found {checked}")
    expect_workbook(installed.work / "worklist.xlsx")
    rule_sets = sorted(path.stem for path in (RESOURCES / "rules").glob("*.toml"))
    for name in rule_sets:
        ranked = json.loads(run("rank", "--workspace", "ward.sqlite", "--rules", name, "--out", f"{name}.xlsx",
                                "--json"))
        expect(ranked["rows"] == LIST_ROWS, f"rank --rules {name} ranked {ranked['rows']} rows")
        expect_workbook(installed.work / f"{name}.xlsx")
    run("rank", "--workspace", "ward.sqlite", "--rules", rule_sets[0], "--out", "ranked.csv")
    with open(installed.work / "ranked.csv", newline="", encoding="utf-8-sig") as ranked_csv:
        lines = list(csv.reader(ranked_csv))
    expect(lines[0][0].startswith("Ranked by "), "ranked.csv does not name the rules that ranked it")
    expect(len(lines) == LIST_ROWS + 2, "ranked.csv does not hold every row")  # the rules' line, the headers, the rows
    equity = json.loads(run("equity", "--workspace", "ward.sqlite", "--rules", rule_sets[0],
                            "--capacity-per-week", "20", "--json"))
    expect(len(equity["groups"]) >= 5, f"equity gave groups {equity['groups']}")
    report(f"the command line imported a {LIST_ROWS}-row CSV, validated it, ranked and exported it with "
           f"every bundled rule set ({', '.join(rule_sets)}) and assessed equity")


def expect(condition: bool, failure: str) -> None:
    if not condition:
        raise SmokeTestFailed(failure)


def expect_workbook(path: Path) -> None:
    with zipfile.ZipFile(path) as book:
        expect("xl/workbook.xml" in book.namelist(), f"{path.name} is not an xlsx workbook")


def fingerprint(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files_under(folder).items()}


def writes_and_sockets(trace: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """What a traced run wrote ((call, path): opened for writing, made, renamed, removed) and its socket calls."""
    written, sockets = [], []
    for line in trace.read_text(errors="replace").splitlines():
        call = re.match(r"\d+\s+(\w+)\(", line)
        if call is None or re.search(r"= -1 E", line):
            continue  # a failed call changed nothing; a resumed one was counted where it began
        if call.group(1) in ("socket", "connect"):
            sockets.append(line)
        elif not call.group(1).startswith("open") or WRITE_FLAGS.search(line):
            written += [(call.group(1), path) for path in QUOTED.findall(line)]
    return written, sockets


def stray_writes(written: list[tuple[str, str]], data: Path, work: Path, allowed: list[Path]) -> list[str]:
    """The paths in ``written`` outside the ``allowed`` folders (relative ones are in ``work``).

    Making the data folder's parents (``~/.local/share``) is part of making the data folder.
    """
    stray = set()
    for call, name in written:
        path = work / name
        if not (call.startswith("mkdir") and data.is_relative_to(path)) and \
                not any(path.is_relative_to(place) for place in allowed):
            stray.add(name)
    return sorted(stray)


def check_traces(installed: Installed) -> None:
    data = installed.data_folder()
    allowed = [data, installed.work, installed.temp, Path("/dev"), Path("/proc")]
    for trace in installed.trace_files:
        written, sockets = writes_and_sockets(trace)
        expect(not sockets, f"a socket was opened: {sockets[:3]}")
        outside = stray_writes(written, data, installed.work, allowed)
        expect(not outside, f"wrote outside the data, work and temporary folders: {outside[:10]}")
    report(f"{len(installed.trace_files)} traced runs opened no socket and wrote only to the data folder, "
           "the work folder and the temporary folder")


def strace_works() -> bool:
    if WINDOWS or not shutil.which("strace"):
        return False
    return subprocess.run(["strace", "-f", "-o", os.devnull, "true"], capture_output=True).returncode == 0


def venv_installation(venv: Path, scratch: Path) -> Installed:
    commands = venv / ("Scripts" if WINDOWS else "bin")
    ask = [str(commands / "python"), "-c", "from workbench.resources import bundled_folder; print(bundled_folder())"]
    bundled = subprocess.run(ask, cwd=scratch, capture_output=True, text=True, check=True).stdout.strip()
    return Installed(commands, Path(bundled), scratch, trace=False)


def portable_installation(folder: Path, scratch: Path) -> Installed:
    moved = scratch / "USB stick" / folder.name
    shutil.copytree(folder, moved, symlinks=True)
    report(f"copied the portable folder to {moved}")
    return Installed(moved, moved / "_internal" / "workbench" / "bundled", scratch, trace=strace_works())


def smoke_test(kind: str, place: Path, scratch: Path) -> None:
    installed = (venv_installation if kind == "venv" else portable_installation)(place.resolve(), scratch)
    before = fingerprint(installed.commands) if kind == "portable" else None
    check_bundled_files(installed)
    check_app_opens_the_demo(installed)
    check_command_line(installed)
    if before is not None:
        expect(fingerprint(installed.commands) == before, "the portable folder changed while it ran")
        report("the portable folder is as it was before it ran")
    if installed.trace:
        check_traces(installed)
    elif kind == "portable":
        print("skipped: strace does not work here, so sockets and writes were not traced", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["venv", "portable"], help="what was installed")
    parser.add_argument("place", type=Path, help="the venv it was installed into, or the portable folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="workbench-smoke-") as scratch:
        try:
            smoke_test(args.kind, args.place, Path(scratch))
        except SmokeTestFailed as failure:
            print(f"FAILED: {failure}", file=sys.stderr)
            return 1
    print(f"smoke test of the {args.kind} {args.place} passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
