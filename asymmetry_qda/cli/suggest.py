"""The learned code suggester: ``suggest``."""

from __future__ import annotations

import argparse

from ..errors import QDAError
from ..project import Project
from ._options import AddCommand, Commands, Parents, add_list, add_project
from ._output import emit


def add_suggest(commands: Commands, parents: Parents) -> None:
    """Register ``suggest``."""
    p = commands.add_parser(
        "suggest", parents=[parents.common, parents.as_json],
        help="learn from human decisions and suggest what the rules missed",
        description="Train a code suggester (scikit-learn, on this machine) on the confirmed codings and rejected "
                    "suggestions, store it in the project, and store its suggestions (origin model) for review. "
                    "With --candidate model, 'evaluate' cross-validates it by participant.",
        epilog="Example: asymmetry-qda suggest study.qda --coders LT --min-examples 5")
    add_project(p)
    add_list(p, "--coders", blank_means_unset=True, help="whose decisions to learn from (default: all)")
    p.add_argument("--min-examples", type=int, default=5, help="skip codes with fewer positives (default 5)")
    p.add_argument("--threshold", type=float, default=None,
                   help="suggest at this probability or above (default: each code's own, chosen by "
                        "cross-validation on the training data)")
    p.add_argument("--seed-codebook", metavar="FILE.yaml", default=None,
                   help="also learn from this codebook's examples and counter-examples (seed data)")
    p.set_defaults(run=cmd_suggest)


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"suggest": add_suggest}


def cmd_suggest(args: argparse.Namespace) -> int:
    """Train a suggester (:meth:`Project.train_suggester`) and store its suggestions (:meth:`Project.suggest`)."""
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise QDAError(f"--threshold {args.threshold}: a probability between 0 and 1; nothing was trained. "
                       "Fix: e.g. --threshold 0.5, or leave it out to use the model's own")
    with Project.open(args.project) as project:
        trained = project.train_suggester(coders=args.coders, min_examples=args.min_examples,
                                          threshold="cv", seed=args.seed_codebook,
                                          progress=None if not args.quiet else False)
        added = project.suggest(version=trained.version, threshold=args.threshold)
    emit(args, f"{trained}\n{len(added)} model suggestions added", {"model": trained, "added": len(added)})
    return 0
