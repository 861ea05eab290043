"""The ``asymmetry-qda`` command line: a thin layer over :class:`~asymmetry_qda.Project`.

Each command wraps one library function. Errors print one message (what,
where, how to fix) and exit with status 2; an unexpected failure prints a short
note and exits with status 70, and ``--debug`` shows the traceback instead
(see :mod:`asymmetry_qda.cli._output`).

Each command group's module registers its own sub-parsers (``PARSERS``, by
command name) with the options shared through :mod:`asymmetry_qda.cli._options`;
:func:`build_parser` puts them in the order the help lists them.

Examples
--------
>>> parser = build_parser()
>>> args = parser.parse_args(["agreement", "study.qda", "--coders", "LT, MK", "--out", "-"])
>>> args.command, args.coders, args.unit
('agreement', ['LT', 'MK'], 'sentence')
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .. import __version__
from . import (
    anonymise,
    codebook,
    codes,
    coding,
    ingest,
    project,
    refi,
    reliability,
    report,
    reproduce,
    suggest,
    tables,
    themes,
)
from ._options import make_parents
from ._output import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, run

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_USAGE", "build_parser", "main"]

_GROUPS = (project, ingest, coding, tables, report, reliability, refi, anonymise, reproduce, suggest, codebook,
           codes, themes)

#: The commands in the order ``asymmetry-qda --help`` lists them: the order of a study, from an empty project
#: to its tables.
COMMANDS = ("init", "ingest", "info", "check", "backup", "segments", "code", "codings", "tables", "report",
            "import-codings", "agreement", "evaluate", "evaluate-corpus", "export-qdpx", "import-qdpx", "review",
            "audit", "pseudonymise", "reproduce", "suggest", "codebook", "codes", "themes")


def build_parser() -> argparse.ArgumentParser:
    """The ``asymmetry-qda`` parser with every command; each parsed command holds its handler in ``run``.

    Returns
    -------
    argparse.ArgumentParser
        A new parser (its option declarations are not shared with an earlier call's).
    """
    parents = make_parents()
    parser = argparse.ArgumentParser(
        prog="asymmetry-qda", parents=[parents.common],
        description="Qualitative coding of interview transcripts and field notes against the asymmetries "
                    "of leadership codebook.",
        epilog="Example: asymmetry-qda init study.qda && asymmetry-qda ingest study.qda data_samples/transcripts "
               "--attributes data_samples/participants.csv && asymmetry-qda info study.qda")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    registered = {name: add for group in _GROUPS for name, add in group.PARSERS.items()}
    for name in COMMANDS:
        registered[name](commands, parents)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``asymmetry-qda`` with ``argv`` (default: the process's arguments) and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program's name, e.g. ``["info", "study.qda", "--json"]``.

    Returns
    -------
    int
        0 on success (1 from ``codebook test`` when a code fails), :data:`EXIT_USAGE` (2) after an error the
        user can fix, :data:`EXIT_INTERNAL` (70) after a bug, :data:`EXIT_INTERRUPTED` (130) after Ctrl-C.
        A command line argparse rejects exits 2 through ``SystemExit``.
    """
    args = build_parser().parse_args(argv)
    return run(args)
