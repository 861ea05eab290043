"""The whole sample analysis from scratch: ``reproduce``."""

from __future__ import annotations

import argparse

from ._options import AddCommand, Commands, Parents, add_pipeline
from ._output import emit


def add_reproduce(commands: Commands, parents: Parents) -> None:
    """Register ``reproduce``."""
    p = commands.add_parser(
        "reproduce", parents=[parents.common, parents.as_json, parents.guarded],
        help="rebuild the whole sample analysis: every table and figure",
        description="Build a fresh project from data_samples/ (transcripts, attributes, the study codebook and the "
                    "three sample coders' codings) in a temporary folder, run the tagger, and write every theme "
                    "table and figure of the lead coder's codings with its manifest, the coders' agreement and "
                    "disagreements, the tagger's scores and the codings. Running it twice gives byte-identical "
                    "files.",
        epilog="Example: asymmetry-qda reproduce --out build/reproduction")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    add_pipeline(p)
    p.add_argument("--no-figures", action="store_true", help="skip the PNG and SVG figures")
    p.add_argument("--key", default=None, metavar="FILE.json",
                   help="keep the pseudonym key of the sample's planted slips here (default: discarded)")
    p.set_defaults(run=cmd_reproduce)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"reproduce": add_reproduce}


def cmd_reproduce(args: argparse.Namespace) -> int:
    """Rebuild the sample analysis with :func:`asymmetry_qda.reproduce.reproduce`."""
    from ..reproduce import reproduce

    result = reproduce(args.out, pipeline=args.pipeline, figures=not args.no_figures, key=args.key,
                       allow_identifiers=args.allow_identifiers)
    emit(args, str(result), result)
    return 0
