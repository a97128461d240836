"""What users install is what CI tests: pinned versions, the app's self-test, the smoke test's own checks.

The builds themselves (wheel, portable folder, offline bundle) take minutes, so
.ci/run makes and smoke-tests them after this suite (packaging/smoke_test.py).
"""

import importlib.util
import os
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name as canonical

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "packaging" / "constraints.txt"


def pins() -> dict[str, Requirement]:
    """The pins of packaging/constraints.txt that apply to this machine, by canonical name."""
    lines = [line for line in CONSTRAINTS.read_text().splitlines() if line.strip() and not line.startswith("#")]
    found = [Requirement(line) for line in lines]
    return {canonical(pin.name): pin for pin in found if pin.marker is None or pin.marker.evaluate()}


def declared(*extras: str) -> list[Requirement]:
    """The app's requirements in pyproject.toml and those of the ``extras`` named (all if none)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = project["optional-dependencies"]
    wanted = [need for extra in extras or groups for need in groups[extra]]
    return [Requirement(need) for need in project["dependencies"] + wanted]


def pinned_version(pin: Requirement) -> str:
    (specifier,) = pin.specifier
    assert specifier.operator == "==", f"constraints.txt: {pin} is not an exact pin"
    return specifier.version


def test_every_declared_dependency_is_pinned_within_its_bounds():
    known = pins()
    for need in declared():
        assert canonical(need.name) in known, f"{need.name} is not pinned in packaging/constraints.txt"
        pinned = pinned_version(known[canonical(need.name)])
        assert need.specifier.contains(pinned), f"the pin {need.name}=={pinned} is outside pyproject's {need}"
        assert any(s.operator == "<" for s in need.specifier), f"pyproject.toml: {need} has no upper bound"


@pytest.mark.needs_qt
def test_the_installed_versions_are_the_pinned_ones():
    """CI tests the pins: an install without ``-c packaging/constraints.txt`` fails here."""
    wrong = []
    for name, pin in pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # the portable build's and the wheel builder's tools are not in the test venv
        if installed != pinned_version(pin):
            wrong.append(f"{name} {installed} (pinned {pinned_version(pin)})")
    assert not wrong, f"installed versions differ from packaging/constraints.txt: {wrong}"
    for need in declared("test"):
        version(need.name)  # installed: the app's and the tests' requirements were all compared above


@pytest.mark.needs_qt
def test_the_app_self_test_opens_the_demo_list_and_quits(tmp_path):
    environment = {**os.environ, "WORKBENCH_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-test"], env=environment, cwd=tmp_path,
                          capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "self-test: 5000 rows shown from demo-waiting-list.csv" in done.stdout
    assert (tmp_path / "Demo waiting list.sqlite").is_file()


def smoke_test_module():
    spec = importlib.util.spec_from_file_location("smoke_test", ROOT / "packaging" / "smoke_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TRACE = """\
101 openat(AT_FDCWD, "/app/_internal/numpy/core.so", O_RDONLY|O_CLOEXEC) = 3
101 mkdir("/home/u/.local", 0777) = 0
101 openat(AT_FDCWD, "/home/u/.local/share/prioritisation-workbench/settings.ini", O_RDWR|O_CREAT, 0666) = 4
102 openat(AT_FDCWD, "ranked.xlsx", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 5
102 openat(AT_FDCWD, "/app/_internal/cache.bin", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 6
102 openat(AT_FDCWD, "/home/u/.config/nosy.conf", O_RDWR|O_CREAT, 0666) = -1 EACCES (Permission denied)
103 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 7
"""


def test_the_smoke_test_catches_a_socket_and_a_write_outside_the_allowed_folders(tmp_path):
    smoke = smoke_test_module()
    (tmp_path / "trace.txt").write_text(TRACE)
    written, sockets = smoke.writes_and_sockets(tmp_path / "trace.txt")
    assert len(sockets) == 1 and "AF_INET" in sockets[0]
    data, work = Path("/home/u/.local/share/prioritisation-workbench"), Path("/work")
    assert smoke.stray_writes(written, data, work, [data, work]) == ["/app/_internal/cache.bin"]
