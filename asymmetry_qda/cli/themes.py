"""Themes built from a project's codes: ``themes list|create|update|drop|history``."""

from __future__ import annotations

import argparse

from ..project import Project
from ._options import AddCommand, Commands, Parents, add_action, add_author, add_list
from ._output import emit


def add_themes(commands: Commands, parents: Parents) -> None:
    """Register ``themes`` and its actions."""
    group = commands.add_parser(
        "themes", parents=[parents.common], help="group codes into themes, review and name them",
        description="Themes are named groups of codes with a definition and a status (candidate, reviewed, "
                    "final); every change is kept in the theme's history with who (--by) and why (--reason).")
    actions = group.add_subparsers(dest="themes_command", metavar="ACTION", required=True)

    def action(name: str, help: str, example: str, run) -> argparse.ArgumentParser:
        return add_action(actions, parents, "themes", name, help=help, example=example, run=run)

    p = action("list", "list the themes as they stand", "list study.qda", cmd_list)
    p.add_argument("--include-dropped", action="store_true", help="also list the themes set aside")
    p = action("create", "group codes into a theme",
               "create study.qda unfair_burden --label 'An unfair burden' --definition '...' "
               "--codes agency.responsibility,response.blame --by LT", cmd_create)
    p.add_argument("theme", metavar="THEME", help="the theme's id (lower-case letters, digits and _)")
    p.add_argument("--label", required=True)
    p.add_argument("--definition", required=True)
    add_list(p, "--codes", required=True, help="its codes, comma-separated (each with its sub-codes)")
    p.add_argument("--status", default="candidate", choices=["candidate", "reviewed", "final"])
    add_author(p, kept="in the theme's history")
    p = action("update", "rename, redefine or review a theme, or change its codes",
               "update study.qda unfair_burden --add response.praise_absent --status reviewed --by MK", cmd_update)
    p.add_argument("theme", metavar="THEME")
    p.add_argument("--label", default=None)
    p.add_argument("--definition", default=None)
    add_list(p, "--codes", help="replace its codes")
    add_list(p, "--add", default="", help="codes to add")
    add_list(p, "--remove", default="", help="codes to take out")
    p.add_argument("--status", default=None, choices=["candidate", "reviewed", "final"])
    add_author(p, kept="in the theme's history")
    p = action("drop", "set a theme aside (its history is kept)", "drop study.qda unfair_burden --by LT", cmd_drop)
    p.add_argument("theme", metavar="THEME")
    add_author(p, kept="in the theme's history")
    p = action("history", "every version of one theme, with who changed it and why",
               "history study.qda unfair_burden", cmd_history)
    p.add_argument("theme", metavar="THEME")


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"themes": add_themes}


def _show(args: argparse.Namespace, themes) -> int:
    lines = [f"{row.theme_id} ({row.status}): {row.label}; codes {', '.join(row.codes)}"
             for row in themes.itertuples()]
    emit(args, "\n".join(lines) or "no themes yet: 'asymmetry-qda themes create' makes one", themes)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """:meth:`Project.themes`."""
    with Project.open(args.project) as project:
        return _show(args, project.themes(include_dropped=args.include_dropped))


def cmd_create(args: argparse.Namespace) -> int:
    """:meth:`Project.create_theme`."""
    with Project.open(args.project) as project:
        return _show(args, project.create_theme(args.theme, label=args.label, definition=args.definition,
                                                codes=args.codes, status=args.status, by=args.by,
                                                reason=args.reason))


def cmd_update(args: argparse.Namespace) -> int:
    """:meth:`Project.update_theme`."""
    with Project.open(args.project) as project:
        return _show(args, project.update_theme(args.theme, by=args.by, reason=args.reason, label=args.label,
                                                definition=args.definition, codes=args.codes, add=args.add or (),
                                                remove=args.remove or (), status=args.status))


def cmd_drop(args: argparse.Namespace) -> int:
    """:meth:`Project.drop_theme`."""
    with Project.open(args.project) as project:
        return _show(args, project.drop_theme(args.theme, by=args.by, reason=args.reason))


def cmd_history(args: argparse.Namespace) -> int:
    """:meth:`Project.theme_history`."""
    with Project.open(args.project) as project:
        history = project.theme_history(args.theme)
    lines = [f"{row.created_at}  {row.status}  by {row.author}: {row.label}; codes {', '.join(row.codes)}"
             + (f" ({row.reason})" if isinstance(row.reason, str) and row.reason else "")
             for row in history.itertuples()]
    emit(args, "\n".join(lines), history)
    return 0
