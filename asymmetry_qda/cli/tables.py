"""The theme tables, figures and their manifest: ``tables``."""

from __future__ import annotations

import argparse

from ..errors import QDAError
from ..project import Project
from ._options import AddCommand, Commands, Parents, add_list, add_project
from ._output import emit


def add_tables(commands: Commands, parents: Parents) -> None:
    """Register ``tables``."""
    p = commands.add_parser(
        "tables", parents=[parents.common, parents.as_json, parents.guarded],
        help="write every theme table, figure and a manifest",
        description="Write the theme tables of a coded project (code frequencies and matrices, co-occurrence, "
                    "asymmetry balance, Table One alignment and its quotes) as CSV, one XLSX workbook, Markdown "
                    "and LaTeX, the figures as PNG and SVG, and manifest.json with the sha256 of every file and "
                    "the hashes of the documents and codebook. Only confirmed codings count unless "
                    "--include-suggestions. Denominators count only the documents the chosen coders coded "
                    "(--coverage all: every document). Running it twice gives byte-identical files.",
        epilog="Example: asymmetry-qda tables study.qda --out tables/")
    add_project(p)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    p.add_argument("--include-suggestions", action="store_true",
                   help="count the tagger's suggestions too (tables are labelled confirmed+suggested)")
    p.add_argument("--codebook", metavar="FILE", default=None,
                   help="codebook for labels, poles and fits (default: the one stored by the last code run)")
    add_list(p, "--coders", blank_means_unset=True,
             help="count only these coders' confirmed codings, e.g. LT or consensus (default: everyone's; "
                  "when several people coded the same text, name one)")
    p.add_argument("--coverage", choices=("coded", "all"), default="coded",
                   help="which documents the denominators count: coded = only those the chosen coders coded "
                        "(default; uncoded participants are listed as not coded), all = every document, coded "
                        "or not")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG and SVG figures")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap intervals (default 0)")
    p.set_defaults(run=cmd_tables)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"tables": add_tables}


def cmd_tables(args: argparse.Namespace) -> int:
    """Load the codings (:func:`asymmetry_qda.analysis.load`) and write every table with ``write_tables``."""
    from ..analysis import load
    from ..analysis._report import write_tables

    with Project.open(args.project) as project:
        data = load(project, include_suggestions=args.include_suggestions, codebook=args.codebook,
                    coders=args.coders, coverage=args.coverage)
    if data.codings.empty:
        raise QDAError(f"{args.project}: no {data.label} codings to tabulate. Fix: review suggestions "
                       "(project.accept) or code by hand first, or pass --include-suggestions")
    manifest = write_tables(data, args.out, figures=not args.no_figures, seed=args.seed,
                            allow_identifiers=args.allow_identifiers)
    emit(args, f"wrote {len(manifest['files'])} files and manifest.json to {args.out} "
               f"({len(data.codings)} {data.label} codings)\n{data.coverage_note}", manifest)
    return 0
