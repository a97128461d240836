"""The ``workbench`` command line.

Each sub-command lives in its own module under ``workbench/commands/`` and
defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
Commands are discovered, so adding one never touches this file.

A user's mistake (a missing file, a bad workbook, an invalid rule set) is a
:class:`~workbench.errors.WorkbenchError`: one line on stderr naming the file
and the problem, exit status 2, no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import sqlite3
import sys
import zlib
from pathlib import Path
from typing import Any, Sequence

from workbench import __version__, commands
from workbench.store.files import remove_leftover_partials
from workbench.progress import Cancelled
from workbench.errors import WorkbenchError
from workbench.store.workspace import database_problem

EXIT_USER_ERROR = 2
EXIT_CANCELLED = 130


def _command_modules():
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{commands.__name__}.{info.name}")


class _Parser(argparse.ArgumentParser):
    """A mistake in the options is one line, as every other mistake is (no usage block)."""

    def error(self, message: str):
        self.exit(EXIT_USER_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def figure(text: str) -> float:
    """A number given on the command line: refused unless finite ("nan" would make every figure nan).

    >>> figure("27.5")
    27.5
    >>> figure("nan")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 'nan' is not a number
    """
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a number")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="workbench",
        description="Offline workbench for NHS waiting lists: import, validate, rank, assess equity.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    remove_leftover_partials()  # what a killed export or copy left behind
    try:
        return int(args.run(args) or 0)
    except WorkbenchError as error:
        print(f"workbench {args.command}: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Cancelled:
        print(f"workbench {args.command}: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print(f"workbench {args.command}: interrupted", file=sys.stderr)
        return EXIT_CANCELLED
    except (sqlite3.Error, zlib.error) as error:  # a damaged or unwritable workspace, wherever it showed
        workspace = Path(getattr(args, "workspace", None) or "the workspace")
        print(f"workbench {args.command}: {database_problem(workspace, error)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped listening: not an error of ours.
        sys.stderr.close()
        return 0


def print_json(data: Any) -> None:
    """Print ``data`` as JSON the way every command does (dates as ISO text)."""
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def print_progress(fraction: float, message: str) -> None:
    """A progress callback for the terminal: a single updating line on stderr."""
    if sys.stderr.isatty():
        print(f"\r{fraction:5.0%} {message[:60]:<60}", end="", file=sys.stderr, flush=True)
        if fraction >= 1:
            print(file=sys.stderr)
