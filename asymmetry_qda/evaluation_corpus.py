"""The blind evaluation corpus: invented excerpts coded by two people who never saw the rules.

The corpus lives in ``data_samples/evaluation/`` (``datasets.sample_path() / "evaluation"`` when
installed); its ``README.md`` states the protocol. Each excerpt is one participant turn of one to six
sentences, with the writer's metadata (the code it was written for, its categories: ``explicit``,
``implicit``, ``negated``, ``hypothetical``, ``reported``, ``distractor_sense``, ``distractor_plain``).
Two coders coded every sentence independently from the codebook's definitions (``codings/A.csv``,
``codings/B.csv``); a third pass adjudicated their disagreements (``codings/adjudicated.csv``).

The unit of analysis is the writer's sentence: a yes/no decision per code per sentence. Codes are
compared at three levels: ``leaf`` (the code as assigned), ``pole`` (its first two id parts, e.g.
``response.blame``) and ``theme`` (its first part, e.g. ``response``); a sentence has a pole or theme if
it has any code under it.

The split into ``dev`` and ``test`` is fixed by a seeded hash of the excerpt id (:func:`split_of`),
decided before any coding: write and tune rules on ``dev``; score on ``test`` only.

Examples
--------
>>> split_of("E001") in ("dev", "test")
True
>>> code_at("response.blame.hindsight", "pole"), code_at("response.blame.hindsight", "theme")
('response.blame', 'response')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import InputError, Problem

__all__ = ["LEVELS", "SPLIT_SEED", "Corpus", "code_at", "human_agreement", "label_matrix", "load_corpus",
           "split_of", "unit_labels"]

#: The seed of the dev/test split: part of the hashed string, so the split never changes by accident.
SPLIT_SEED = "asymmetry-qda evaluation corpus, split fixed 2026-12-03"
LEVELS = ("leaf", "pole", "theme")
CODERS = ("A", "B")
ADJUDICATED = "adjudicated"


def split_of(excerpt_id: str) -> str:
    """``dev`` or ``test`` for an excerpt: half each, by SHA-256 of :data:`SPLIT_SEED` and the id."""
    digest = hashlib.sha256(f"{SPLIT_SEED}:{excerpt_id}".encode("utf-8")).digest()
    return "dev" if digest[0] < 128 else "test"


def code_at(code_id: str, level: str) -> str:
    """A code id at ``level``: itself (``leaf``), its first two parts (``pole``) or its first (``theme``)."""
    if level not in LEVELS:
        raise InputError(Problem("level", f"{level!r} is not one of {', '.join(LEVELS)}",
                                 fix="use leaf, pole or theme"))
    parts = code_id.split(".")
    return code_id if level == "leaf" else ".".join(parts[:2] if level == "pole" else parts[:1])


@dataclass(frozen=True)
class Corpus:
    """The corpus as tidy frames.

    ``excerpts``: one row per excerpt (``excerpt_id``, ``text``, ``split``, ``writer``, ``target``,
    ``categories``, ``writer_codes``, ``writer_negated``). ``units``: one row per sentence
    (``excerpt_id``, ``sentence`` 1-based, ``start``, ``end`` in ``text``, ``sentence_text``, ``split``).
    ``labels``: one row per code per sentence per coder (``excerpt_id``, ``sentence``, ``code``,
    ``coder`` = ``A``, ``B`` or ``adjudicated``).
    """

    folder: Path
    excerpts: pd.DataFrame
    units: pd.DataFrame
    labels: pd.DataFrame


def load_corpus(folder: str | Path | None = None) -> Corpus:
    """Read the corpus in ``folder`` (default: the bundled one), checking every label against its units."""
    if folder is None:
        from .datasets import sample_path

        folder = sample_path() / "evaluation"
    folder = Path(folder)
    rows = [json.loads(line) for line in (folder / "excerpts.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    excerpts, units = [], []
    for row in rows:
        text, offsets = "", []
        for sentence in row["sentences"]:
            if text:
                text += " "
            offsets.append((len(text), len(text) + len(sentence)))
            text += sentence
        excerpts.append({"excerpt_id": row["excerpt_id"], "text": text, "split": row["split"],
                         "writer": row["writer"], "target": row["target"], "categories": row["categories"],
                         "writer_codes": row["writer_codes"], "writer_negated": row["writer_negated"]})
        for n, (start, end) in enumerate(offsets, start=1):
            units.append({"excerpt_id": row["excerpt_id"], "sentence": n, "start": start, "end": end,
                          "sentence_text": text[start:end], "split": row["split"]})
    excerpts_frame, units_frame = pd.DataFrame(excerpts), pd.DataFrame(units)
    known = set(zip(units_frame["excerpt_id"], units_frame["sentence"], strict=True))
    labels, problems = [], []
    for coder in (*CODERS, ADJUDICATED):
        path = folder / "codings" / f"{coder}.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path, dtype={"excerpt_id": str, "code": str})
        for line, row in enumerate(frame.itertuples(index=False), start=2):
            if (row.excerpt_id, int(row.sentence)) not in known:
                problems.append(Problem(str(path), f"sentence {row.sentence} of {row.excerpt_id} does not exist",
                                        line=line, fix="check the excerpt id and sentence number"))
        labels.append(frame.assign(coder=coder, sentence=frame["sentence"].astype(int)))
    if problems:
        raise InputError(problems)
    label_frame = (pd.concat(labels, ignore_index=True).drop_duplicates()
                   if labels else pd.DataFrame(columns=["excerpt_id", "sentence", "code", "coder"]))
    return Corpus(folder, excerpts_frame, units_frame, label_frame[["excerpt_id", "sentence", "code", "coder"]])


def label_matrix(labels: pd.DataFrame, units: pd.DataFrame, *, level: str = "leaf",
                 codes: Sequence[str] | None = None) -> pd.DataFrame:
    """A 0/1 matrix of ``labels`` (``excerpt_id``, ``sentence``, ``code``): one row per sentence of ``units``
    (index ``excerpt_id``, ``sentence``), one column per code at ``level`` (``codes``, default those used)."""
    labels = labels.assign(code=[code_at(c, level) for c in labels["code"]])
    index = pd.MultiIndex.from_frame(units[["excerpt_id", "sentence"]])
    matrix = pd.crosstab([labels["excerpt_id"], labels["sentence"]], labels["code"]).clip(upper=1)
    return matrix.reindex(index=index, columns=codes, fill_value=0)


def unit_labels(corpus: Corpus, coder: str, *, level: str = "leaf", split: str | None = None) -> pd.DataFrame:
    """:func:`label_matrix` of one coder's labels over the sentences of ``split`` (all by default)."""
    units = corpus.units if split is None else corpus.units[corpus.units["split"] == split]
    return label_matrix(corpus.labels[corpus.labels["coder"] == coder], units, level=level)


def human_agreement(corpus: Corpus, *, coders: Sequence[str] = CODERS, level: str = "leaf",
                    split: str | None = None) -> pd.DataFrame:
    """Agreement of two coders per code at ``level``, and pooled over every code × sentence decision.

    Columns: ``code``, ``n_units`` (sentences), ``n_a`` and ``n_b`` (sentences each coder gave the code),
    ``percent`` (share of sentences where both agree), ``cohen_kappa``
    (:func:`sklearn.metrics.cohen_kappa_score`) and ``krippendorff_alpha`` (nominal,
    :func:`krippendorff.alpha`). A code neither coder used anywhere in the units is left out; where a
    statistic is undefined (one coder's column constant and equal to the other's), it is NaN.
    """
    import krippendorff
    import numpy as np
    from sklearn.metrics import cohen_kappa_score

    first, second = (unit_labels(corpus, c, level=level, split=split) for c in coders)
    codes = sorted(set(first.columns) | set(second.columns))
    first, second = first.reindex(columns=codes, fill_value=0), second.reindex(columns=codes, fill_value=0)

    def stats(a: np.ndarray, b: np.ndarray) -> dict:
        agree = float((a == b).mean()) if len(a) else float("nan")
        defined = len(set(a) | set(b)) > 1
        kappa = float(cohen_kappa_score(a, b)) if defined and (len(set(a)) > 1 or len(set(b)) > 1) else float("nan")
        alpha = float(krippendorff.alpha(reliability_data=np.vstack([a, b]), level_of_measurement="nominal")) \
            if defined else float("nan")
        return {"percent": agree, "cohen_kappa": kappa, "krippendorff_alpha": alpha}

    rows = []
    for code in codes:
        a, b = first[code].to_numpy(), second[code].to_numpy()
        rows.append({"code": code, "n_units": len(a), "n_a": int(a.sum()), "n_b": int(b.sum()), **stats(a, b)})
    a, b = first.to_numpy().ravel(), second.to_numpy().ravel()
    rows.append({"code": "(pooled)", "n_units": len(first), "n_a": int(a.sum()), "n_b": int(b.sum()), **stats(a, b)})
    return pd.DataFrame(rows)
