"""Refining a project's codes: ``codes create|rename|move|merge|split|retire|undo|history|export``."""

from __future__ import annotations

import argparse

from ..project import Project
from ._options import AddCommand, Commands, Parents, add_action, add_author, add_list, comma_list
from ._output import emit

_OPERATIONS = "create, rename, move, merge, split or retire"


def add_codes(commands: Commands, parents: Parents) -> None:
    """Register ``codes`` and its actions."""
    group = commands.add_parser(
        "codes", parents=[parents.common], help="refine a project's codes: rename, merge, split, move, retire, undo",
        description="Change the project's own codebook with the codings following: each action is one transaction "
                    "and a new codebook version with who (--by), when and why (--reason); nothing is overwritten, "
                    "and 'codes undo' takes back the newest action.")
    actions = group.add_subparsers(dest="codes_command", metavar="ACTION", required=True)

    def action(name: str, help: str, example: str, run) -> argparse.ArgumentParser:
        return add_action(actions, parents, "codes", name, help=help, example=example, run=run)

    p = action("create", "add a code to the project's codebook",
               "create study.qda experience.dread --label Dread --definition 'Fear of what comes.' --by MK",
               cmd_create)
    p.add_argument("code", metavar="CODE", help="the new code's id (a dotted path under an existing code)")
    p.add_argument("--label", required=True)
    p.add_argument("--definition", required=True)
    add_author(p, kept="with the version and in each coding's history")
    p = action("rename", "rename a code and its sub-codes, their codings following",
               "rename study.qda response.blame.scapegoat response.blame.scapegoating --by LT", cmd_rename)
    p.add_argument("code", metavar="CODE")
    p.add_argument("new_code", metavar="NEW_CODE", help="its new id, under the same parent")
    p.add_argument("--label", default=None, help="also give the code a new label")
    add_author(p, kept="with the version and in each coding's history")
    p = action("move", "put a code and its sub-codes under another parent, their codings following",
               "move study.qda experience.isolation --parent agency --by LT", cmd_move)
    p.add_argument("code", metavar="CODE")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--parent", help="the new parent code")
    where.add_argument("--top", action="store_true", help="make it a top-level code")
    add_author(p, kept="with the version and in each coding's history")
    p = action("merge", "merge codes into one: their codings, rules and examples go to it",
               "merge study.qda experience.dread,experience.fear --into experience.anxiety --by LT", cmd_merge)
    p.add_argument("codes", type=comma_list, metavar="CODES", help="the codes to merge, comma-separated")
    p.add_argument("--into", required=True, help="the code they are merged into")
    add_author(p, kept="with the version and in each coding's history")
    p = action("split", "create a code and move chosen codings of a code to it",
               "split study.qda response.blame response.blame.press --codings ID1,ID2 --label Press "
               "--definition 'Blame in the papers.' --by LT", cmd_split)
    p.add_argument("code", metavar="CODE")
    p.add_argument("new_code", metavar="NEW_CODE")
    add_list(p, "--codings", required=True, help="ids of the current codings of CODE to move (from 'codings')")
    p.add_argument("--label", required=True)
    p.add_argument("--definition", required=True)
    add_author(p, kept="with the version and in each coding's history")
    p = action("retire", "take a code out of the codebook, withdrawing its codings (their history is kept)",
               "retire study.qda experience.unclear --by LT", cmd_retire)
    p.add_argument("code", metavar="CODE")
    add_author(p, kept="with the version and in each coding's history")
    p = action("undo", f"take back the newest {_OPERATIONS} not yet undone", "undo study.qda --by LT", cmd_undo)
    add_author(p, kept="with the version and in each coding's history")
    p = action("history", "list the codebook's versions (who, when, why), or tell one coding's history",
               "history study.qda --diff", cmd_history)
    p.add_argument("--coding", default=None, help="tell this coding's history instead")
    p.add_argument("--diff", action="store_true", help="print each version's changes to the codebook")
    p = action("export", "write the project's codebook as it stands to a .yaml or .qdc file",
               "export study.qda codebooks/now.yaml", cmd_export)
    p.add_argument("out", metavar="OUT", help="a .yaml, .yml or .qdc file")


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"codes": add_codes}


def _report(args: argparse.Namespace, carried, what: str) -> int:
    version = carried.attrs["version"]
    emit(args, f"codebook version {version}: {what}; {len(carried)} coding(s) carried",
         {"version": version, "operation": carried.attrs["operation"], "carried": carried})
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    """:meth:`Project.create_code`."""
    with Project.open(args.project) as project:
        carried = project.create_code(args.code, label=args.label, definition=args.definition, by=args.by,
                                      reason=args.reason)
    return _report(args, carried, f"created {args.code}")


def cmd_rename(args: argparse.Namespace) -> int:
    """:meth:`Project.rename_code`."""
    with Project.open(args.project) as project:
        carried = project.rename_code(args.code, args.new_code, by=args.by, reason=args.reason, label=args.label)
    return _report(args, carried, f"renamed {args.code} to {args.new_code}")


def cmd_move(args: argparse.Namespace) -> int:
    """:meth:`Project.move_code`."""
    parent = None if args.top else args.parent
    with Project.open(args.project) as project:
        carried = project.move_code(args.code, parent, by=args.by, reason=args.reason)
    return _report(args, carried, f"moved {args.code} under {parent or 'the top level'}")


def cmd_merge(args: argparse.Namespace) -> int:
    """:meth:`Project.merge_codes`."""
    with Project.open(args.project) as project:
        carried = project.merge_codes(args.codes, args.into, by=args.by, reason=args.reason)
    return _report(args, carried, f"merged {', '.join(args.codes)} into {args.into}")


def cmd_split(args: argparse.Namespace) -> int:
    """:meth:`Project.split_code`."""
    with Project.open(args.project) as project:
        carried = project.split_code(args.code, args.codings, args.new_code, label=args.label,
                                     definition=args.definition, by=args.by, reason=args.reason)
    return _report(args, carried, f"split {args.new_code} from {args.code}")


def cmd_retire(args: argparse.Namespace) -> int:
    """:meth:`Project.retire_code`."""
    with Project.open(args.project) as project:
        carried = project.retire_code(args.code, by=args.by, reason=args.reason)
    return _report(args, carried, f"retired {args.code}")


def cmd_undo(args: argparse.Namespace) -> int:
    """:meth:`Project.undo_code_change`."""
    with Project.open(args.project) as project:
        carried = project.undo_code_change(by=args.by, reason=args.reason)
    return _report(args, carried, "undone")


def cmd_history(args: argparse.Namespace) -> int:
    """:meth:`Project.codebook_versions`, or :meth:`Project.coding_story` with ``--coding``."""
    with Project.open(args.project) as project:
        if args.coding:
            story = project.coding_story(args.coding)
            emit(args, story, {"coding_id": args.coding, "history": story.splitlines()})
            return 0
        versions = project.codebook_versions()
    lines = []
    for row in versions.itertuples():
        lines.append(f"version {row.version}  {row.created_at}  {row.operation} by {row.author}"
                     + (f": {row.reason}" if isinstance(row.reason, str) and row.reason else ""))
        if args.diff and row.diff:
            lines.append(row.diff.rstrip("\n"))
    emit(args, "\n".join(lines) or "no codebook versions yet: the first code operation makes version 1",
         versions.drop(columns=[] if args.diff else ["diff"]))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """:meth:`Project.export_codebook`."""
    with Project.open(args.project) as project:
        out = project.export_codebook(args.out)
        book = project.latest_codebook()
    emit(args, f"wrote {len(book)} codes to {out}", {"out": out, "codes": len(book)})
    return 0
