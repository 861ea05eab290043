"""The project file itself: ``init``, ``info``, ``check`` and ``backup``."""

from __future__ import annotations

import argparse
import json

from ..project import Project
from ._options import AddCommand, Commands, Parents, add_project
from ._output import emit, say


def add_init(commands: Commands, parents: Parents) -> None:
    """Register ``init``."""
    p = commands.add_parser("init", parents=[parents.common], help="create an empty project file",
                            description="Create an empty project file (SQLite).",
                            epilog="Example: asymmetry-qda init study.qda")
    add_project(p, help="path of the new project file, e.g. study.qda")
    p.set_defaults(run=cmd_init)


def add_info(commands: Commands, parents: Parents) -> None:
    """Register ``info``."""
    p = commands.add_parser("info", parents=[parents.common], help="counts of documents, segments and participants",
                            description="Counts of documents, participants, turns, sentences and words by "
                                        "document kind.",
                            epilog="Example: asymmetry-qda info study.qda --json")
    add_project(p)
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(run=cmd_info)


def add_check(commands: Commands, parents: Parents) -> None:
    """Register ``check``."""
    p = commands.add_parser(
        "check", parents=[parents.common, parents.as_json],
        help="check a project file for damage (SQLite integrity_check)",
        description="Run SQLite's full integrity check (every page, every index against its table, foreign keys) "
                    "on a project file, without writing to it. Exit 0 if it is sound, 2 with every problem listed "
                    "if it is damaged. Opening a project already runs the faster quick_check on its schema and "
                    "small tables.",
        epilog="Example: asymmetry-qda check study.qda")
    add_project(p)
    p.set_defaults(run=cmd_check)


def add_backup(commands: Commands, parents: Parents) -> None:
    """Register ``backup``."""
    p = commands.add_parser(
        "backup", parents=[parents.common, parents.as_json], help="copy a project safely, even while it is in use",
        description="Copy a project file through SQLite's online backup API: the copy is consistent even while "
                    "another process writes, is checked, and appears only once complete. Copying a project with "
                    "cp while it is open can give a damaged or out-of-date copy (its -wal file holds recent "
                    "writes).",
        epilog="Example: asymmetry-qda backup study.qda backups/study-2026-12-03.qda")
    add_project(p)
    p.add_argument("destination", metavar="COPY.qda", help="a new file (not overwritten)")
    p.set_defaults(run=cmd_backup)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"init": add_init, "info": add_info, "check": add_check, "backup": add_backup}


def cmd_init(args: argparse.Namespace) -> int:
    """Create an empty project file (:meth:`Project.create`)."""
    with Project.create(args.project) as project:
        say(args, f"created {project.path}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """Print the counts of :meth:`Project.info`, as a table or as JSON."""
    with Project.open(args.project) as project:
        table = project.info()
        if args.json:
            print(json.dumps({"project": str(project.path), "by_kind": table.to_dict(orient="index")}, indent=2))
        else:
            print(f"project {project.path}")
            print(table.to_string())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Run :meth:`Project.check`; a damaged file raises :class:`~asymmetry_qda.errors.ProjectDamaged` (exit 2)."""
    from ..errors import ProjectDamaged

    with Project.open(args.project) as project:
        problems = project.check()
    if args.json:
        print(json.dumps({"project": str(args.project), "sound": not problems, "problems": problems}, indent=2))
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise ProjectDamaged(f"{args.project}: the project file is damaged ({len(problems)} problem(s)):\n{listed}"
                             f"{more}\nFix: restore it from a backup; do not write to it")
    say(args, f"{args.project}: sound (integrity_check ok, foreign keys ok)")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the project with :meth:`Project.backup`."""
    with Project.open(args.project) as project:
        out = project.backup(args.destination)
    emit(args, f"wrote a checked copy of {args.project} to {out}", {"path": out})
    return 0
