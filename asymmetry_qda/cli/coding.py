"""Coding and its review: ``segments``, ``code``, ``codings``, ``import-codings`` and ``review``."""

from __future__ import annotations

import argparse

from ..backends import Dask, Local
from ..errors import QDAError
from ..project import Project
from ..records import Status
from ._options import AddCommand, Commands, Parents, add_list, add_pipeline, add_project
from ._output import emit, write_csv

SEGMENT_CSV_COLUMNS = ["doc_id", "segment_id", "unit", "start", "end", "speaker", "is_interviewer", "text"]
CODING_CSV_COLUMNS = ["coding_id", "doc_id", "segment_id", "start", "end", "speaker", "code", "theme", "origin",
                      "status", "coder", "rule_id", "confidence", "context", "text"]
#: What ``codings --status`` accepts.
STATUSES = {status.value for status in Status}


def add_segments(commands: Commands, parents: Parents) -> None:
    """Register ``segments``."""
    p = commands.add_parser(
        "segments", parents=[parents.common, parents.guarded], help="write segments with their exact text to CSV",
        description=f"Write segments as CSV with columns {', '.join(SEGMENT_CSV_COLUMNS)}; "
                    "text is the document text from start to end (0-based, end exclusive, Unicode code points).",
        epilog="Example: asymmetry-qda segments study.qda --unit sentence --out sentences.csv")
    add_project(p)
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output file, or - for standard output")
    p.add_argument("--unit", choices=["turn", "sentence"], help="only this unit (default: both)")
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="only this document (repeatable)")
    p.add_argument("--no-interviewer", action="store_true", help="leave out interviewer turns")
    p.set_defaults(run=cmd_segments)


def add_code(commands: Commands, parents: Parents) -> None:
    """Register ``code``."""
    p = commands.add_parser(
        "code", parents=[parents.common, parents.as_json], help="suggest codes with the codebook's rules",
        description="Run the rule tagger over the project's turns and store one suggestion per (unit, code) with "
                    "its matched spans, rules, context and confidence. Running again adds nothing; human decisions "
                    "are never changed.",
        epilog="Example: asymmetry-qda code study.qda --codebook codebooks/asymmetries.yaml --unit sentence")
    add_project(p)
    p.add_argument("--codebook", metavar="FILE", default="codebooks/asymmetries.yaml",
                   help="YAML codebook (default: codebooks/asymmetries.yaml)")
    add_pipeline(p)
    p.add_argument("--unit", choices=["sentence", "turn", "span"], default="sentence",
                   help="what a suggestion covers: the sentence or turn holding the match, or the match itself")
    p.add_argument("--n-process", type=int, default=1, metavar="N", help="processes for spaCy (default 1)")
    p.add_argument("--include-interviewer", action="store_true", help="also code interviewer turns")
    p.add_argument("--backend", choices=["local", "dask"], default="local",
                   help="local (default: this machine, --n-process) or dask (a Dask cluster; needs "
                        "asymmetry_qda[dask])")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="with --backend dask: a running scheduler, e.g. tcp://10.0.0.5:8786 (default: start a "
                        "local cluster)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="with --backend dask and no --scheduler: local worker processes (default: one per core)")
    p.set_defaults(run=cmd_code)


def add_codings(commands: Commands, parents: Parents) -> None:
    """Register ``codings``."""
    p = commands.add_parser(
        "codings", parents=[parents.common, parents.guarded], help="write codings and suggestions to CSV",
        description=f"Write current codings as CSV with columns {', '.join(CODING_CSV_COLUMNS)}; context is a "
                    "';'-separated list of flags.",
        epilog="Example: asymmetry-qda codings study.qda --out codings.csv --status suggested,confirmed")
    add_project(p)
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output file, or - for standard output")
    add_list(p, "--status", blank_means_unset=True,
             help="comma-separated statuses to keep: suggested, suppressed, confirmed, rejected (default all)")
    p.set_defaults(run=cmd_codings)


def add_import_codings(commands: Commands, parents: Parents) -> None:
    """Register ``import-codings``."""
    p = commands.add_parser(
        "import-codings", parents=[parents.common, parents.as_json],
        help="add a human coder's codings from quote tables",
        description="Add confirmed codings from CSV quote tables with columns doc_id, code, quote, occurrence, "
                    "memo (quote: the exact coded text; occurrence: which one, when it occurs more than once). "
                    "Every row is checked first and every problem listed; nothing is written unless all rows are "
                    "good. Importing the same rows twice adds nothing.",
        epilog="Example: asymmetry-qda import-codings study.qda data_samples/codings/MK --coder MK")
    add_project(p)
    p.add_argument("path", metavar="FILE_OR_FOLDER", help="a CSV file, or a folder of them (searched recursively)")
    p.add_argument("--coder", default=None,
                   help="the coder's name or initials (default: each file's folder name, e.g. codings/MK/INT01.csv)")
    p.add_argument("--codebook", metavar="FILE", default=None, help="check every code against this codebook")
    p.set_defaults(run=cmd_import_codings)


def add_review(commands: Commands, parents: Parents) -> None:
    """Register ``review``."""
    p = commands.add_parser(
        "review", parents=[parents.common, parents.as_json],
        help="accept or reject suggestions by id, rule or code, or from a CSV",
        description="Decide on suggestions from the shell. Every decision appends a row that supersedes the "
                    "suggestion; nothing is overwritten. --decisions reads a CSV with the columns coding_id, "
                    "decision (accept, reject or modify) and optionally code, start, end and memo, and applies "
                    "all of them in one transaction, or none if any is refused.",
        epilog="Example: asymmetry-qda review study.qda --coder LT --reject "
               "--rule stakeholder.community.community_noun --memo 'wrong sense'")
    add_project(p)
    p.add_argument("--coder", required=True, help="who decides (name or initials)")
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--accept", action="store_true", help="confirm the suggestions selected below")
    action.add_argument("--reject", action="store_true", help="reject the suggestions selected below")
    action.add_argument("--decisions", metavar="FILE.csv", help="apply a table of decisions")
    add_list(p, "--ids", blank_means_unset=True, help="comma-separated coding ids")
    p.add_argument("--rule", default=None, help="every pending suggestion of this rule")
    p.add_argument("--code", default=None, help="every pending suggestion of this code (and its sub-codes)")
    p.add_argument("--memo", default=None, help="why (kept as a memo on each decision)")
    p.set_defaults(run=cmd_review)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"segments": add_segments, "code": add_code, "codings": add_codings,
                                  "import-codings": add_import_codings, "review": add_review}


def cmd_segments(args: argparse.Namespace) -> int:
    """Write :meth:`Project.segments` as CSV, once the anonymisation guard allows it."""
    with Project.open(args.project) as project:
        frame = project.segments(unit=args.unit, doc_id=args.doc, include_interviewer=not args.no_interviewer)
        project.check_export(f"segments with their text to {args.out}", allow_identifiers=args.allow_identifiers)
    write_csv(args, frame[SEGMENT_CSV_COLUMNS], "segments")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    """Run the rule tagger with :meth:`Project.code`, on this machine or on a Dask cluster."""
    with Project.open(args.project) as project:
        if args.backend == "local" and (args.scheduler or args.workers):
            raise QDAError("--scheduler and --workers go with --backend dask. Fix: add --backend dask")
        backend = Dask(args.scheduler, args.workers) if args.backend == "dask" else Local(args.n_process)
        report = project.code(args.codebook, pipeline=args.pipeline, unit=args.unit,
                              include_interviewer=args.include_interviewer, progress=None if not args.quiet else False,
                              backend=backend)
    emit(args, report.summary(), report)
    return 0


def cmd_codings(args: argparse.Namespace) -> int:
    """Write :meth:`Project.codings` as CSV, keeping the ``--status`` given."""
    statuses = args.status
    if statuses and not set(statuses) <= STATUSES:
        raise QDAError(f"--status {args.status.text!r}: unknown status {sorted(set(statuses) - STATUSES)}. "
                       f"Fix: use some of {', '.join(sorted(STATUSES))}")
    with Project.open(args.project) as project:
        frame = project.codings()
        project.check_export(f"codings with their text to {args.out}", allow_identifiers=args.allow_identifiers)
    if statuses:
        frame = frame[frame["status"].isin(statuses)]
    frame = frame.rename(columns={"code_id": "code", "coder_id": "coder"})
    frame["context"] = [";".join(flags) for flags in frame["context"]]
    write_csv(args, frame[CODING_CSV_COLUMNS], "codings")
    return 0


def cmd_import_codings(args: argparse.Namespace) -> int:
    """Add a coder's quote tables with :meth:`Project.import_codings`."""
    with Project.open(args.project) as project:
        report = project.import_codings(args.path, coder=args.coder, codebook=args.codebook)
    emit(args, "\n".join(f"{row.coder}: {row.added} codings added, {row.already_present} already present"
                          for row in report.itertuples()), report)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Accept or reject suggestions (:meth:`Project.accept`, :meth:`Project.reject`) or apply a decisions CSV."""
    import pandas as pd

    with Project.open(args.project) as project:
        if args.decisions:
            try:
                table = pd.read_csv(args.decisions, dtype={"coding_id": str, "decision": str, "code": str,
                                                           "memo": str})
                from ..escaping import map_text_cells, restore_formulas

                table = map_text_cells(table, restore_formulas, labels=False)  # as `codings --out` neutralised them
            except (OSError, ValueError) as exc:
                raise QDAError(f"{args.decisions}: cannot be read as CSV ({exc}). Fix: save it as UTF-8 CSV with "
                               "the header coding_id,decision[,code,start,end,memo]") from exc
            done = project.decide(table, coder=args.coder)
            emit(args, f"applied {len(done)} decisions from {args.decisions}", done)
            return 0
        ids = args.ids
        if not ids and not args.rule and not args.code:
            raise QDAError("say which suggestions: --ids, --rule or --code")
        decide = project.accept if args.accept else project.reject
        new = decide(ids, coder=args.coder, rule=args.rule, code=args.code, memo=args.memo)
    emit(args, f"{'accepted' if args.accept else 'rejected'} {len(new)} suggestions", {"new_ids": new})
    return 0
