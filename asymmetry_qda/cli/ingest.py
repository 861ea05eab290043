"""Reading transcripts, field notes and participant attributes into a project: ``ingest``."""

from __future__ import annotations

import argparse

from ..errors import QDAError
from ..project import Project
from ..readers import DEFAULT_INTERVIEWER_LABELS
from ._options import AddCommand, Commands, Parents, add_pipeline, add_project
from ._output import emit


def add_ingest(commands: Commands, parents: Parents) -> None:
    """Register ``ingest``."""
    p = commands.add_parser(
        "ingest", parents=[parents.common, parents.as_json],
        help="read transcripts, field notes and participant attributes",
        description="Read transcripts and field notes (.txt .md .docx .vtt .srt .json .tsv .csv .xlsx; folders are "
                    "searched) "
                    "and an optional attributes CSV into a project. Nothing is written if any input has a problem.",
        epilog="Example: asymmetry-qda ingest study.qda data_samples/transcripts "
               "--attributes data_samples/participants.csv")
    add_project(p)
    p.add_argument("paths", metavar="PATH", nargs="*", help="transcript files or folders")
    p.add_argument("--attributes", metavar="CSV", help="participant attributes, one row per document")
    p.add_argument("--interviewer-label", metavar="LABEL", action="append", dest="interviewer_labels",
                   help="a label that marks interviewer turns; repeat for several; replaces the default set "
                        f"({', '.join(DEFAULT_INTERVIEWER_LABELS)})")
    p.add_argument("--label-pattern", metavar="REGEX", help="regular expression for one speaker label")
    p.add_argument("--kind", choices=["interview", "fieldnote"], help="force the kind of every document")
    p.add_argument("--prefer-extension", metavar="EXT", action="append", dest="prefer_extensions",
                   help="where files of a folder share a name in several formats (talk.srt, talk.vtt), read only "
                        "the one with this extension; repeat for an order of preference (--prefer-extension srt "
                        "--prefer-extension vtt)")
    p.add_argument("--replace", action="store_true",
                   help="replace stored documents whose text changed (codings are kept where the text under "
                        "them is unchanged) and re-segment unchanged ones")
    add_pipeline(p)
    p.set_defaults(run=cmd_ingest)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"ingest": add_ingest}


def cmd_ingest(args: argparse.Namespace) -> int:
    """Read the files and attributes with :meth:`Project.ingest` and print its report."""
    if not args.paths and not args.attributes:
        raise QDAError("ingest needs at least one PATH or --attributes CSV. Fix: e.g. "
                       "asymmetry-qda ingest study.qda data_samples/transcripts")
    with Project.open(args.project) as project:
        report = project.ingest(args.paths, attributes=args.attributes, interviewer_labels=args.interviewer_labels,
                                label_pattern=args.label_pattern, kind=args.kind, replace=args.replace,
                                pipeline=args.pipeline, prefer_extensions=args.prefer_extensions)
        emit(args, report.summary(), report)
    return 0
