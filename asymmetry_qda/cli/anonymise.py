"""Anonymisation: ``audit`` for identifiers left in the documents, ``pseudonymise`` to replace them."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import QDAError
from ..project import Project
from ._options import AddCommand, Commands, Parents, add_list, add_pipeline, add_project
from ._output import emit, say, write_csv

#: What ``pseudonymise --severity`` accepts.
SEVERITIES = {"high", "medium", "low"}


def add_audit(commands: Commands, parents: Parents) -> None:
    """Register ``audit``."""
    p = commands.add_parser(
        "audit", parents=[parents.common, parents.as_json],
        help="find names, places, numbers and dates left in the documents",
        description="List every likely identifier (people, places, stations, collar numbers, phone numbers, "
                    "emails, postcodes, vehicle registrations, URLs, specific dates and times, names after ranks) "
                    "with its document, offsets, kind, the rule or model that found it, and a severity. "
                    "Participants' pseudonyms, bracketed placeholders and the study's vocabulary are not flagged; "
                    "the project's allow list never is and its deny list always is.",
        epilog="Example: asymmetry-qda audit study.qda --out audit.csv --deny 'Okafor,Walsh'")
    add_project(p)
    p.add_argument("--out", required=True, metavar="FILE.csv",
                   help="output file, or -; it quotes every identifier found, so keep it with the key, not with "
                        "exports")
    add_list(p, "--allow", help="set the project's allow list (comma-separated)")
    add_list(p, "--deny", help="set the project's deny list (comma-separated)")
    add_pipeline(p)
    add_list(p, "--dismiss", metavar="IDS",
             help="record these findings (DOC:START-END, comma-separated) as checked and not identifying; "
                  "needs --by and --reason")
    p.add_argument("--by", default=None, help="who dismisses (name or initials)")
    p.add_argument("--reason", default=None, help="why the dismissed findings identify no one")
    p.set_defaults(run=cmd_audit)


def add_pseudonymise(commands: Commands, parents: Parents) -> None:
    """Register ``pseudonymise``."""
    p = commands.add_parser(
        "pseudonymise", parents=[parents.common, parents.as_json],
        help="replace identifiers by consistent pseudonyms; the key goes to a file outside the project",
        description="Replace the audit's unresolved findings (high severity unless --severity) by pseudonyms such "
                    "as [OFFICER-1] and [STATION-2], the same original getting the same pseudonym in every "
                    "document, and move every coding, memo and segment so it covers the same words. The key "
                    "(original -> pseudonym) is written to --key, which must not be beside the project file and "
                    "is extended if it exists. With --dry-run the plan is written to --out for editing (it holds "
                    "the originals: keep it with the key) and nothing changes; --plan applies an edited plan.",
        epilog="Example: asymmetry-qda pseudonymise study.qda --key ~/secure/study-key.json --by LT")
    add_project(p)
    p.add_argument("--key", required=True, metavar="FILE.json", help="the key file (kept apart from the project)")
    add_list(p, "--severity", default="high", help="which findings to replace: high (default), or e.g. high,medium")
    p.add_argument("--plan", default=None, metavar="FILE.csv", help="apply this (edited) plan instead")
    p.add_argument("--dry-run", action="store_true", help="only write the plan to --out")
    p.add_argument("--out", default=None, metavar="FILE.csv",
                   help="with --dry-run the plan; otherwise the replacements made (pseudonyms and offsets only)")
    p.add_argument("--boundary", choices=["expand", "shrink", "error"], default="expand",
                   help="a replacement cutting through a coded span: widen the span to the pseudonym (default), "
                        "narrow it, or stop")
    p.add_argument("--only-findings", action="store_true",
                   help="replace only the findings, not other occurrences of the same words")
    p.add_argument("--keep-original", action="store_true",
                   help="also put the original document texts in the key file (never in the project)")
    p.add_argument("--by", default=None, help="who pseudonymised (recorded with the run)")
    add_pipeline(p)
    p.set_defaults(run=cmd_pseudonymise)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"audit": add_audit, "pseudonymise": add_pseudonymise}


def cmd_audit(args: argparse.Namespace) -> int:
    """Set the allow and deny lists, dismiss findings, and write :meth:`Project.audit`'s findings."""
    if args.dismiss is not None and (not args.by or not args.reason):
        raise QDAError("--dismiss needs --by NAME and --reason TEXT. Fix: e.g. --dismiss INT02:5802-5817 --by LT "
                       "--reason 'a fictional detective'")
    with Project.open(args.project) as project:
        if args.allow is not None or args.deny is not None:
            project.set_audit_lists(allow=args.allow, deny=args.deny)
        if args.dismiss is not None:
            n = project.dismiss_findings(args.dismiss, by=args.by, reason=args.reason)
            say(args, f"dismissed {n} finding(s)")
        findings = project.audit(pipeline=args.pipeline)
    if args.out != "-" or not args.json:
        write_csv(args, findings, "findings")
    counts = findings.groupby("severity").size().to_dict() if len(findings) else {}
    if args.out != "-":
        emit(args, f"by severity: {counts or 'none'}", {"findings": len(findings), "by_severity": counts})
    return 0


def cmd_pseudonymise(args: argparse.Namespace) -> int:
    """Replace the findings with :meth:`Project.pseudonymise` (or, with ``--dry-run``, write the plan)."""
    severity = args.severity
    if not set(severity) <= SEVERITIES or not severity:
        raise QDAError(f"--severity {args.severity.text!r}: use some of high, medium, low (comma-separated)")
    if args.dry_run and not args.out:
        raise QDAError("--dry-run writes the plan to --out. Fix: add --out plan.csv (keep it with the key)")
    if args.dry_run and args.out != "-":
        from ..anonymise.rewrite import outside_project_folder

        outside_project_folder(args.out, Path(args.project), "plan, which quotes every original,")
    with Project.open(args.project) as project:
        if args.plan:
            plan = _read_plan(args.plan)
        else:
            plan = project.pseudonym_plan(severity=severity, pipeline=args.pipeline, key=args.key,
                                          everywhere=not args.only_findings)
        if args.dry_run:
            write_csv(args, plan, "planned replacements (with the originals: keep this file with the key)")
            return 0
        report = project.pseudonymise(plan, key=args.key, boundary=args.boundary, keep_original=args.keep_original,
                                      by=args.by)
    if args.out:
        write_csv(args, report.replacements, "replacements")
    emit(args, str(report) if report.documents else "nothing to pseudonymise: no unresolved findings of severity "
         f"{', '.join(severity)}", {"replacements": report.replacements, "adjusted": report.adjusted,
                                    "moved": report.moved, "key": report.key})
    return 0


def _read_plan(path: str):
    """The plan ``pseudonymise --dry-run`` wrote (perhaps edited), with its formula guards taken off."""
    import pandas as pd

    from ..escaping import map_text_cells, restore_formulas

    try:  # a plan this command wrote: cells it neutralised against formulas ('=...) read back as they were
        return map_text_cells(pd.read_csv(path, dtype={"doc_id": str, "original": str, "pseudonym": str},
                                          keep_default_na=False), restore_formulas, labels=False)
    except (OSError, ValueError) as exc:
        raise QDAError(f"{path}: cannot read the plan ({exc}). Fix: pass the CSV 'pseudonymise --dry-run' wrote")
