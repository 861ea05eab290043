"""One-command reproduction: from ``data_samples/`` to every published table and figure.

:func:`reproduce` builds a fresh project in a temporary folder from the bundled
transcripts, participant attributes, the study codebook and the three sample
coders' codings; runs the tagger; pseudonymises what the anonymisation audit
finds of high severity (the three slips planted in the sample); and writes to
``out``:

- ``anonymisation.csv``: every replacement, with its offsets in the
  pseudonymised text and its pseudonym (never the original);

- ``tables/``: every theme table and figure of the lead coder's (LT's)
  confirmed codings, with ``manifest.json`` (see :mod:`.analysis.report`);
- ``reliability/``: agreement of the three coders (pooled and per pair),
  their disagreements, and the tagger scored against LT, with its errors;
- ``codings.csv``: every current coding and suggestion, the tidy frame the
  tables are made from.

Nothing in ``out`` depends on the clock or the temporary folder, so running it
twice gives byte-identical files (the project file itself, which records when
things were done, is not part of the output).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .fileio import write_text_atomically

__all__ = ["Reproduction", "reproduce"]

REPO = Path(__file__).resolve().parents[1]
LEAD_CODER = "LT"
CODERS = ("LT", "MK", "RS")


@dataclass(frozen=True)
class Reproduction:
    """What :func:`reproduce` wrote, and the headline figures."""

    out: Path
    files: tuple[str, ...]
    documents: int
    suggestions: int
    human_codings: int
    alpha: float
    tagger_f1: float

    def __str__(self) -> str:
        return (f"reproduced the analysis in {self.out}: {len(self.files)} files from {self.documents} documents, "
                f"{self.suggestions} tagger suggestions and {self.human_codings} human codings "
                f"(3 coders' pooled Krippendorff's alpha {self.alpha:.3f}; tagger F1 against {LEAD_CODER} "
                f"{self.tagger_f1:.3f}, sentence unit)")


def _csv(frame: pd.DataFrame, path: Path) -> None:
    from .analysis.report import list_as_text

    frame = frame.map(list_as_text) if len(frame) else frame
    write_text_atomically(path, frame.to_csv(index=False, lineterminator="\n"))


def reproduce(out: str | Path, *, samples: str | Path | None = None, codebook: str | Path | None = None,
              model: str = "auto", figures: bool = True, seed: int = 0, key: str | Path | None = None,
              allow_identifiers: bool = False) -> Reproduction:
    """Rebuild the sample analysis into ``out`` (see the module docstring); returns a summary.

    ``key``: where to keep the pseudonym key of the sample's planted slips
    (by default it is discarded). ``allow_identifiers`` lets the export guard
    pass findings the audit leaves unresolved.
    """
    from .analysis import load
    from .analysis.agreement import agreement, disagreements, pairwise_agreement
    from .analysis.evaluation import evaluate, evaluation_errors
    from .analysis.report import write_tables
    from .project import Project

    samples = Path(samples) if samples else REPO / "data_samples"
    codebook = Path(codebook) if codebook else REPO / "codebooks" / "asymmetries.yaml"
    out = Path(out)
    (out / "reliability").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="asymmetry-qda-") as scratch:
        with Project.create(Path(scratch) / "sample.qda") as project:
            project.ingest(samples / "transcripts", attributes=samples / "participants.csv", model=model)
            run = project.code(codebook, model=model, progress=False)
            project.import_codings(samples / "codings", codebook=codebook)
            # the sample's three planted slips are pseudonymised before anything is written, as a study would;
            # the key goes to ``key`` or is dropped with the scratch folder (the names are invented)
            keys = Path(scratch) / "keys"
            keys.mkdir()
            pseudonymised = project.pseudonymise(key=Path(key) if key else keys / "sample-key.json", model=model,
                                                 by="reproduce")
            _csv(pseudonymised.replacements, out / "anonymisation.csv")
            project.check_export(f"the reproduction in {out}", allow_identifiers=allow_identifiers)
            data = load(project, coders=[LEAD_CODER])
            write_tables(data, out / "tables", figures=figures, seed=seed, allow_identifiers=allow_identifiers)
            everyone = load(project)
            options = {"units": everyone.units, "texts": everyone.texts, "seed": seed}
            pooled = agreement(everyone.codings, coders=list(CODERS), **options)
            _csv(pooled, out / "reliability" / "agreement.csv")
            _csv(pairwise_agreement(everyone.codings, coders=list(CODERS), **options),
                 out / "reliability" / "agreement_pairs.csv")
            _csv(disagreements(everyone.codings, coders=list(CODERS), units=everyone.units, texts=everyone.texts),
                 out / "reliability" / "disagreements.csv")
            scored = load(project, statuses=("confirmed", "suggested", "rejected"))
            score_options = {"reference": LEAD_CODER, "candidate": "rule", "units": scored.units,
                             "texts": scored.texts}
            evaluation = evaluate(scored.codings, **score_options)
            _csv(evaluation, out / "reliability" / "tagger_evaluation.csv")
            _csv(evaluation_errors(scored.codings, **score_options), out / "reliability" / "tagger_errors.csv")
            codings = project.codings().drop(columns=["run_id", "created_at", "codebook_hash"])
            codings = codings.sort_values(["doc_id", "start", "end", "code_id", "coder_id", "coding_id"])
            _csv(codings.drop(columns=["coding_id", "supersedes"]), out / "codings.csv")
            n_docs = len(project.documents())
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    alpha = float(pooled.set_index("code_id").loc["(pooled)", "krippendorff_alpha"])
    f1 = float(evaluation.set_index("code_id").loc["(micro)", "f1"])
    return Reproduction(out, tuple(files), n_docs, run.added_suggested,
                        int((codings["origin"] == "human").sum()), alpha, f1)
