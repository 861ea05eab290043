"""YAML codebooks: ``codebook validate``, ``codebook test``, ``codebook export-qdc`` and ``codebook import-qdc``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import QDAError
from ..fileio import write_text_atomically
from ._options import AddCommand, Commands, Parents, add_pipeline
from ._output import say


def add_codebook(commands: Commands, parents: Parents) -> None:
    """Register ``codebook`` and its actions."""
    common = [parents.common]
    cb = commands.add_parser("codebook", parents=common, help="validate, test and exchange codebooks",
                             description="Work with YAML codebooks: validate, test examples, REFI-QDA .qdc exchange.")
    actions = cb.add_subparsers(dest="codebook_command", metavar="ACTION", required=True)

    p = actions.add_parser("validate", parents=common, help="check a codebook and list every problem",
                           description="Load a YAML codebook and report every problem at once, with lines.",
                           epilog="Example: asymmetry-qda codebook validate codebooks/asymmetries.yaml")
    p.add_argument("file", metavar="FILE.yaml")
    p.add_argument("--json", action="store_true", help="print a JSON summary for scripts")
    p.set_defaults(run=cmd_codebook_validate)

    p = actions.add_parser(
        "test", parents=common, help="run each code's examples and counter-examples through its rules",
        description="Every example must be matched by its code's rules and no counter-example may be, through the "
                    "real tagger (negated mentions of codes that suppress them do not count). Prints a per-code "
                    "pass/fail table and the examples that failed; exits 1 if any code fails.",
        epilog="Example: asymmetry-qda codebook test codebooks/asymmetries.yaml")
    p.add_argument("file", metavar="FILE.yaml")
    add_pipeline(p)
    p.add_argument("--json", action="store_true", help="print the per-example results as JSON")
    p.set_defaults(run=cmd_codebook_test)

    p = actions.add_parser(
        "export-qdc", parents=common, help="write a codebook as a REFI-QDA .qdc file",
        description="Write the codes (hierarchy, labels, descriptions, colours) as REFI-QDA codebook XML for "
                    "ATLAS.ti, MAXQDA, NVivo, QualCoder and others. Rules are not part of the standard.",
        epilog="Example: asymmetry-qda codebook export-qdc codebooks/asymmetries.yaml asymmetries.qdc")
    p.add_argument("file", metavar="FILE.yaml")
    p.add_argument("out", metavar="OUT.qdc")
    p.set_defaults(run=cmd_codebook_export_qdc)

    p = actions.add_parser(
        "import-qdc", parents=common, help="turn a REFI-QDA codebook (.qdc, .qde or .qdpx) into YAML",
        description="Read the codebook of a .qdc, .qde or .qdpx file into a YAML codebook without rules, and "
                    "report what could not be carried over.",
        epilog="Example: asymmetry-qda codebook import-qdc from_nvivo.qdc codebooks/imported.yaml")
    p.add_argument("file", metavar="IN.qdc")
    p.add_argument("out", metavar="OUT.yaml")
    p.add_argument("--force", action="store_true", help="overwrite OUT.yaml if it exists")
    p.set_defaults(run=cmd_codebook_import_qdc)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"codebook": add_codebook}


def cmd_codebook_validate(args: argparse.Namespace) -> int:
    """Load a codebook (:func:`~asymmetry_qda.codebook.load_codebook` reports every problem) and summarise it."""
    from ..codebook import load_codebook

    codebook = load_codebook(args.file)
    kinds = {k: sum(r.kind == k for r in codebook.rules) for k in ("phrase", "tokens", "dependency")}
    summary = {"file": args.file, "name": codebook.name, "version": codebook.version, "codes": len(codebook),
               "codes_with_rules": sum(bool(c.rules) for c in codebook.codes), "rules": kinds,
               "context_triggers": len(codebook.context), "themes_with_poles": [c.id for c in codebook.themes],
               "content_hash": codebook.content_hash}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        say(args, f"{args.file}: valid. {codebook.name!r} version {codebook.version}: {len(codebook)} codes "
                  f"({summary['codes_with_rules']} with rules), {sum(kinds.values())} rules "
                  f"({', '.join(f'{n} {k}' for k, n in kinds.items())}), {len(codebook.context)} context triggers; "
                  f"sha256 {codebook.content_hash[:12]}")
    return 0


def cmd_codebook_test(args: argparse.Namespace) -> int:
    """Run every example and counter-example through its code's rules (``run_examples``); exit 1 on a failure."""
    from ..codebook import load_codebook
    from ..codebook.examples import run_examples, summarise_examples

    codebook = load_codebook(args.file)
    results = run_examples(codebook, pipeline=args.pipeline)
    summary = summarise_examples(results, codebook)
    failed = summary[summary["status"] == "fail"]
    if args.json:
        print(results.assign(passed=results["passed"].astype(object).where(results["passed"].notna(), None))
              .to_json(orient="records", indent=2))
    else:
        print(summary.to_string(index=False))
        bad = results[results["passed"].eq(False).fillna(False)]
        for row in bad.itertuples():
            if row.kind == "example":
                why = ("matched only as negated by " + ", ".join(row.rules_suppressed)) if row.rules_suppressed \
                    else "not matched"
            else:
                why = f"matched by {', '.join(row.rules_fired)}"
            print(f"FAIL {row.code_id} {row.kind}: {row.text!r} ({why})")
        untested = failed[failed["examples"] == 0]
        for code_id in untested["code_id"]:
            print(f"FAIL {code_id}: has rules but no examples")
        counts = summary["status"].value_counts()
        print(f"codes: {counts.get('pass', 0)} pass, {counts.get('fail', 0)} fail, {counts.get('manual', 0)} manual "
              "(codes without rules)")
    return 1 if len(failed) else 0


def cmd_codebook_export_qdc(args: argparse.Namespace) -> int:
    """Write a codebook as REFI-QDA codebook XML (:func:`~asymmetry_qda.refi.export_qdc`)."""
    from ..codebook import load_codebook
    from ..refi import export_qdc

    codebook = load_codebook(args.file)
    export_qdc(codebook, args.out)
    say(args, f"wrote {len(codebook)} codes to {args.out}")
    return 0


def cmd_codebook_import_qdc(args: argparse.Namespace) -> int:
    """Turn a REFI-QDA codebook into YAML (:func:`~asymmetry_qda.refi.import_qdc`) and list what was not carried."""
    from ..refi import import_qdc

    out = Path(args.out)
    if out.exists() and not args.force:
        raise QDAError(f"{out}: a file already exists there. Fix: choose another name, or pass --force")
    imported = import_qdc(args.file)
    codebook = imported.codebook  # validates what will be written
    write_text_atomically(out, imported.to_yaml())
    for note in imported.notes:
        say(args, f"note: {note}")
    say(args, f"wrote {len(codebook)} codes (no rules) to {out}")
    return 0
