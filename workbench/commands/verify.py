"""``workbench verify --workspace WS``: is the decision log as it was recorded?

The hash chain shows an entry edited or removed in the middle. Against a
decision record (``--record``) or a head written down (``--entries`` and
``--head``), kept outside the workspace, it also shows the newest entries
deleted, or the whole log rewritten with its hashes worked out again.
Exit status 0: intact; 1: altered; 2: a mistake in the command.
"""

from __future__ import annotations

from workbench.cli import print_json
from workbench.store.decisions import ChainHead, chain_head, head_in_record, verify_against, verify_all
from workbench.errors import WorkbenchError
from workbench.store.workspace import Workspace

NAME = "verify"
HELP = "Check a workspace's decision log: its hash chain, and against a decision record kept elsewhere."
EXIT_ALTERED = 1


def add_arguments(parser) -> None:
    parser.add_argument("--workspace", required=True, help="workspace file")
    parser.add_argument("--record", metavar="FILE", help="a decision record (.html) made from this workspace")
    parser.add_argument("--entries", type=int, metavar="N", help="with --head: how many entries the log had")
    parser.add_argument("--head", metavar="HASH", help="the newest entry's hash, as a decision record prints it")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def kept_head(args) -> ChainHead | None:
    """The head kept outside the workspace, from --record or --entries and --head."""
    if args.record:
        return head_in_record(args.record)
    if (args.head is None) != (args.entries is None):
        raise WorkbenchError("give --entries and --head together (a decision record prints both)")
    return None if args.head is None else ChainHead(args.entries, args.head.strip().lower())


def run(args) -> int:
    kept = kept_head(args)
    with Workspace.open(args.workspace) as workspace:
        now = chain_head(workspace)
        broken = verify_all(workspace) if kept is None else verify_against(workspace, kept)
    result = {"intact": broken is None, "problem": broken.describe() if broken else None,
              "entries": now.entries, "head": now.head,
              "checked_against": None if kept is None else {"entries": kept.entries, "head": kept.head}}
    if args.json:
        print_json(result)
    elif broken:
        print(broken.describe())
    else:
        against = "" if kept is None else f"; the {kept.entries} entries of the head kept elsewhere are all there"
        print(f"Decision log intact: {now.describe()}{against}")
    return 0 if broken is None else EXIT_ALTERED
