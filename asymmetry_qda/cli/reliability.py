"""Reliability and validity: ``agreement`` between coders, ``evaluate`` against a reference, ``evaluate-corpus``."""

from __future__ import annotations

import argparse

from ..errors import QDAError
from ..project import Project
from ._options import AddCommand, Commands, Parents, add_list, add_pipeline, add_project
from ._output import say, write_csv, write_side_csv


def _compared() -> argparse.ArgumentParser:
    """The options ``agreement`` and ``evaluate`` share: the project, the unit, the documents and ``--out``."""
    compared = argparse.ArgumentParser(add_help=False)
    add_project(compared)
    compared.add_argument("--unit", choices=["character", "sentence", "turn", "document"],
                          default="sentence", help="unit of analysis (default sentence)")
    add_list(compared, "--documents", blank_means_unset=True,
             help="comma-separated doc ids (default: those every coder coded)")
    compared.add_argument("--out", required=True, metavar="FILE.csv", help="output file, or -")
    return compared


def add_agreement(commands: Commands, parents: Parents) -> None:
    """Register ``agreement``."""
    p = commands.add_parser(
        "agreement", parents=[parents.common, _compared(), parents.guarded],
        help="intercoder agreement per code and pooled",
        description="Percent agreement (also on coded units only), Cohen's kappa (two coders) and Krippendorff's "
                    "alpha per code and pooled, with 95%% bootstrap intervals and the counts behind them. Each "
                    "unit is a yes/no decision per code per coder. With three or more coders, --pairwise adds "
                    "a row set per pair.",
        epilog="Example: asymmetry-qda agreement study.qda --coders LT,MK --unit sentence --out agreement.csv")
    add_list(p, "--coders", required=True, metavar="A,B[,C]", help="two or more coders")
    p.add_argument("--pairwise", action="store_true", help="every pair of coders (kappa for each)")
    p.add_argument("--disagreements", metavar="FILE.csv", default=None,
                   help="also write every unit where the coders differ, with text and memos")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.set_defaults(run=cmd_agreement)


def add_evaluate(commands: Commands, parents: Parents) -> None:
    """Register ``evaluate``."""
    p = commands.add_parser(
        "evaluate", parents=[parents.common, _compared(), parents.guarded],
        help="score the tagger (or a coder) against a reference",
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


def add_evaluate_corpus(commands: Commands, parents: Parents) -> None:
    """Register ``evaluate-corpus``."""
    p = commands.add_parser(
        "evaluate-corpus", parents=[parents.common], help="score the tagger on the blind evaluation corpus",
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
    add_pipeline(p)
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


#: This module's commands, by name (:func:`asymmetry_qda.cli.build_parser` fixes their order in the help).
PARSERS: dict[str, AddCommand] = {"agreement": add_agreement, "evaluate": add_evaluate,
                                  "evaluate-corpus": add_evaluate_corpus}


def _analysis_data(args: argparse.Namespace, **options):
    """The project's codings, units and texts (:func:`asymmetry_qda.analysis.load` with ``options``)."""
    from ..analysis import load

    with Project.open(args.project) as project:
        return load(project, **options)


def _check_export(args: argparse.Namespace, what: str) -> None:
    """Refuse to write document text out of the project while the audit has unresolved findings."""
    with Project.open(args.project) as project:
        project.check_export(what, allow_identifiers=args.allow_identifiers)


def cmd_agreement(args: argparse.Namespace) -> int:
    """Write intercoder agreement (``agreement`` or ``pairwise_agreement``) and, if asked, the disagreements."""
    from ..analysis._agreement import agreement, disagreements, pairwise_agreement

    coders = args.coders
    data = _analysis_data(args)
    options = {"unit": args.unit, "units": data.units, "texts": data.texts, "documents": args.documents}
    compute = pairwise_agreement if args.pairwise else agreement
    table = compute(data.codings, coders=coders, seed=args.seed, **options)
    write_csv(args, table, "rows of agreement")
    if args.disagreements:
        _check_export(args, f"disagreements with their text to {args.disagreements}")
        rows = disagreements(data.codings, coders=coders, **options)
        write_side_csv(args.disagreements, rows)
        say(args, f"wrote {len(rows)} disagreements to {args.disagreements}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Write the candidate's scores against the reference (``evaluate``) and, if asked, its errors."""
    from ..analysis._evaluation import evaluate, evaluation_errors

    if args.candidate == "model":
        return _evaluate_model(args)
    statuses = ("confirmed", "suggested", "rejected")  # everything the tagger suggested, whatever was decided
    data = _analysis_data(args, statuses=statuses)
    options = {"reference": args.reference, "candidate": args.candidate, "unit": args.unit, "units": data.units,
               "texts": data.texts, "documents": args.documents}
    write_csv(args, evaluate(data.codings, **options), "rows of evaluation")
    if args.errors:
        _check_export(args, f"false positives and negatives with their text to {args.errors}")
        rows = evaluation_errors(data.codings, **options)
        write_side_csv(args.errors, rows)
        say(args, f"wrote {len(rows)} false positives and negatives to {args.errors}")
    return 0


def _evaluate_model(args: argparse.Namespace) -> int:
    """``evaluate --candidate model``: cross-validate the learned suggester by participant."""
    from ..suggester.evaluation import cross_validate

    if args.unit != "sentence":
        raise QDAError(f"--unit {args.unit}: the model is cross-validated on sentences. Fix: use --unit sentence")
    data = _analysis_data(args, statuses=("confirmed", "suggested", "rejected", "suppressed"))
    scores, curve = cross_validate(data, reference=args.reference)
    write_csv(args, scores, "rows of cross-validated scores (rules, model, rules+model)")
    if args.learning_curve:
        write_side_csv(args.learning_curve, curve)
        say(args, f"wrote the learning curve to {args.learning_curve}")
    return 0


def cmd_evaluate_corpus(args: argparse.Namespace) -> int:
    """Score the rules, the coders and the learned suggester on the evaluation corpus (``validity_report``)."""
    from ..analysis._validity import LEARNED, judge_corpus, tag_corpus, validity_report
    from ..codebook import load_codebook
    from ..datasets import study_codebook_path
    from ..evaluation_corpus import human_agreement, load_corpus

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
        from ..suggester.semantic import INSTALL_HINT, available

        if not available():
            raise QDAError(f"--semantic: the optional semantic extra is not installed. Fix: {INSTALL_HINT}")
    judged = judge_corpus(corpus, codebook, pipeline=args.pipeline)
    labels = tag_corpus(corpus, codebook, judged=judged)
    table = validity_report(corpus, codebook=codebook, pipeline=args.pipeline, split=split, n_boot=args.boot,
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
        from ..analysis._validity import corpus_errors

        errors = corpus_errors(corpus, labels)
        write_side_csv(args.errors, errors)
        say(args, f"wrote {len(errors)} dev-split errors to {args.errors}")
    return 0
