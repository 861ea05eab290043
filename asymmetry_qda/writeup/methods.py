"""The methods paragraph of a write-up report, generated from the project.

Documents (interviews, field notes), participants, who coded how many documents, intercoder agreement
(Krippendorff's alpha with its unit, when two or more coders coded the same documents), the codebook's name
and version, the project's codebook version and the toolkit's version. Every number says what it counts.
"""

from __future__ import annotations

import pandas as pd

from .._version import __version__
from ..analysis import agreement, load
from ..store import documents as stored_documents
from ..store.sqlite import Store
from ._warnings import stated

__all__ = ["methods"]

_KINDS = {"interview": ("interview", "interviews"), "fieldnote": ("field note", "field notes")}


def _kind(kind: str, n: int) -> str:
    one, many = _KINDS.get(kind, (kind, f"{kind}s"))
    return f"{n} {one if n == 1 else many}"


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _documents(store: Store) -> str:
    listed = stored_documents.documents(store.connection)
    people = stored_documents.participants(store.connection)
    kinds = listed["kind"].value_counts().sort_index()
    parts = _names([_kind(k, int(n)) for k, n in kinds.items()])
    return (f"The project holds {len(listed)} documents ({parts}) from {len(people)} participants in the "
            "attributes table.")


def _coders(everyone) -> tuple[list[str], list[str], dict[str, set[str]]]:
    human = everyone.codings[everyone.codings["origin"] == "human"]
    coded = {c: set(rows["doc_id"]) for c, rows in human.groupby("coder_id", sort=True)}
    sentences = [f"{c} coded {len(docs)} document{'s' if len(docs) != 1 else ''} "
                 f"({int((human['coder_id'] == c).sum())} confirmed codings)" for c, docs in coded.items()]
    return list(coded), sentences, coded


def _agreement(everyone, coded: dict[str, set[str]]) -> str:
    names = [c for c in coded if c != "consensus"]
    shared = set.intersection(*(coded[c] for c in names)) if len(names) >= 2 else set()
    if len(names) < 2 or not shared:
        return ("Intercoder agreement was not computed: no two coders coded the same documents."
                if len(names) >= 2 or not names else
                f"Intercoder agreement was not computed: only one coder ({names[0]}) coded the documents.")
    documents = sorted(shared)
    # the per-code prevalence paradox is not reported here: the pooled figure is, with its own flag below
    table = stated(lambda: agreement(everyone.codings, coders=names, unit="sentence", units=everyone.units,
                                     texts=everyone.texts, documents=documents,
                                     statistic=("percent", "krippendorff_alpha"), seed=0), "prevalence paradox")
    pooled = table.set_index("code_id").loc["(pooled)"]
    n_codes = len(table) - 1
    n_decisions = int(pooled["n_units"])
    alpha = pooled["krippendorff_alpha"]
    interval = ("" if pd.isna(pooled["alpha_ci_low"]) else
                f" (95 % bootstrap interval {pooled['alpha_ci_low']:.2f} to {pooled['alpha_ci_high']:.2f})")
    value = "could not be computed" if pd.isna(alpha) else f"was {alpha:.2f}{interval}"
    return (f"Intercoder agreement between {_names(names)} on the {len(documents)} documents all of them coded "
            f"({', '.join(documents)}): Krippendorff's nominal alpha, pooled over every code, {value}; the unit "
            f"is the participant sentence, each sentence a yes/no decision per code per coder "
            f"({n_decisions} decisions: {n_decisions // max(n_codes, 1)} sentences times the {n_codes} codes any of "
            "them used); "
            f"raw agreement was {100 * pooled['percent']:.1f} % of the decisions and "
            f"{100 * pooled['percent_coded_only']:.1f} % of the {int(pooled['n_coded_units'])} decisions on "
            "sentences at least one coder coded." + (
                " Most sentences carry no code, so agreement is high while alpha is low (the prevalence paradox): "
                "read the agreement on coded sentences with it." if bool(pooled["prevalence_paradox"]) else ""))


def methods(store: Store, data, book, version: int | None, *, include_suggestions: bool = False
            ) -> tuple[str, ...]:
    """The methods paragraph of a report, sentence by sentence.

    Parameters
    ----------
    store : Store
        The project's store.
    data : AnalysisData
        What the report counts (:func:`~asymmetry_qda.analysis.load` with the report's coders).
    book : Codebook or None
        The codebook of the report.
    version : int or None
        The project's codebook version (the last of :func:`asymmetry_qda.code_changes.versions`), if any.
    include_suggestions : bool, default False
        Whether the report counts the tagger's suggestions.

    Returns
    -------
    tuple of str
        The sentences, in reading order.
    """
    sentences = [_documents(store)]
    everyone = load(store, codebook=book)  # parsed once: the report's codebook
    names, coded, by_coder = _coders(everyone)
    if names:
        sentences.append(f"{len(names)} coder{'s' if len(names) != 1 else ''} made the confirmed codings: "
                         f"{_names(coded)}.")
    else:
        sentences.append("No document has confirmed codings yet.")
    if data.coders:
        counted = f"the confirmed codings of {_names(list(data.coders))}"
    else:
        counted = "every coder's confirmed codings (a sentence coded by several coders counts once)"
    if include_suggestions:
        counted += " and the tagger's current suggestions"
    sentences.append(f"The tables and figures count {counted}. {data.coverage_note}")
    if names:
        sentences.append(_agreement(everyone, by_coder))
    if book is not None:
        project_version = (f"project codebook version {version}" if version is not None else
                           "the project's codebook as stored by its last coding run, with no change since")
        sentences.append(f"Codebook: {book.name}, version {book.version} ({project_version}; "
                         f"{len(book.codes)} codes).")
    else:
        sentences.append("The project stores no codebook: codes are listed by id only.")
    sentences.append(f"Tables and quotes were produced with asymmetry_qda {__version__}.")
    return tuple(sentences)
