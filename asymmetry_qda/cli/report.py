"""The write-up report: ``report``."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from ..project import Project
from ._options import AddCommand, Commands, Parents, add_list, add_project
from ._output import emit


def add_report(commands: Commands, parents: Parents) -> None:
    """Register ``report``."""
    p = commands.add_parser(
        "report", parents=[parents.common, parents.as_json, parents.guarded],
        help="write a report of the themes and codes, with quotes, tables and a methods paragraph",
        description="Write a report a researcher can paste into a paper: for each theme (final and reviewed "
                    "first, then candidates) and each code of the codebook, its definition, how many "
                    "participants and sentences it covers (overall and by the attributes named in --by) and "
                    "exemplar quotes spread across participants, each with its document, speaker pseudonym and "
                    "offsets; the co-occurrence and balance tables; and a methods paragraph generated from the "
                    "project (documents, coders, agreement, codebook version, tool version). DOCX, HTML or "
                    "Markdown, from the suffix of --out; running it twice gives the same bytes.",
        epilog="Example: asymmetry-qda report study.qda --out report.docx --coders LT --by leader,rank_band")
    add_project(p)
    p.add_argument("--out", required=True, metavar="FILE", help="the report file: .docx, .html or .md")
    p.add_argument("--format", choices=("md", "html", "docx"), default=None,
                   help="the format (default: from the suffix of --out)")
    add_list(p, "--coders", blank_means_unset=True,
             help="count only these coders' confirmed codings, e.g. LT (default: everyone's)")
    add_list(p, "--by", default="leader",
             help="participant attributes whose groups the tables show besides all (default: leader; "
                  "'' for none)")
    p.add_argument("--quotes", type=int, default=3, metavar="N",
                   help="exemplar quotes per theme and code (default 3)")
    p.add_argument("--include-suggestions", action="store_true", help="count the tagger's suggestions too")
    p.set_defaults(run=cmd_report)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"report": add_report}


def cmd_report(args: argparse.Namespace) -> int:
    """Build and write the report (:meth:`Project.report`), then say what it holds."""
    out = Path(args.out)
    with Project.open(args.project) as project:
        made = project.report(out, format=args.format, coders=args.coders, by=list(args.by or ()),
                              quotes_per_code=args.quotes, include_suggestions=args.include_suggestions,
                              allow_identifiers=args.allow_identifiers)
    summary = {"path": str(out), "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
               "themes": len(made.themes), "codes": len(made.codes), "tables": len(made.tables),
               "quotes": sum(len(s.quotes) for s in (*made.themes, *made.codes)), "methods": made.methods_paragraph}
    emit(args, f"wrote {out}: {summary['themes']} themes, {summary['codes']} codes, {summary['quotes']} quotes, "
               f"{summary['tables']} tables", summary)
    return 0
