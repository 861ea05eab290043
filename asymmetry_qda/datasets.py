"""The invented sample study that ships with the package, and the study codebook.

Fifteen invented documents (twelve interviews and three field notes, in every
input format the toolkit reads), their participants' attributes, three invented
coders' codings of six of them, and the study codebook: everything
:func:`~asymmetry_qda.reproduce.reproduce` and the teaching notebooks need, so
they work from an installed wheel in an empty folder. Nothing in it is real
(see ``README.md`` in :func:`sample_path`).

In the repository the files live at the top level, in ``data_samples/`` and
``codebooks/asymmetries.yaml`` (the single source); building a wheel copies
them into the package as ``asymmetry_qda/_data/``, read here through
:mod:`importlib.resources`. In a source checkout or an editable install, where
the package holds no copy, the checkout's own folders are used.

Examples
--------
>>> from asymmetry_qda import datasets
>>> sample = datasets.load_sample()
>>> len(sample.documents), sample.coders
(15, ('LT', 'MK', 'RS'))
>>> sorted(p.name for p in datasets.sample_path().iterdir() if p.is_dir())
['codings', 'evaluation', 'sources', 'transcripts']
>>> datasets.study_codebook_path().name
'asymmetries.yaml'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import NotFoundError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .codebook import Codebook

__all__ = ["Sample", "load_sample", "sample_codings", "sample_participants", "sample_path", "sample_transcripts",
           "study_codebook", "study_codebook_path"]

_PACKAGED = "_data"  # asymmetry_qda/_data/{data_samples/, codebooks/asymmetries.yaml} in a built wheel
_SAMPLES = "data_samples"
_CODEBOOK = ("codebooks", "asymmetries.yaml")


def _holds_the_data(root: Path) -> bool:
    return (root / _SAMPLES / "participants.csv").is_file() and root.joinpath(*_CODEBOOK).is_file()


@functools.cache
def _data_root() -> Path:
    """The folder holding ``data_samples/`` and ``codebooks/``: packaged first, else the source checkout.

    1. The package's own copy, ``asymmetry_qda/_data/``, found through
       :func:`importlib.resources.files` (every install from a wheel or an sdist).
    2. Fallback for a source checkout or an editable install, which hold no copy:
       the repository root, the folder above the package directory, if it holds
       ``data_samples/participants.csv`` and ``codebooks/asymmetries.yaml``. This
       is the one place the toolkit finds data relative to its own source files.
    """
    packaged = resources.files(__package__) / _PACKAGED
    if isinstance(packaged, Path) and _holds_the_data(packaged):
        return packaged
    checkout = Path(__file__).resolve().parent.parent  # documented fallback (2.) above
    if _holds_the_data(checkout):
        return checkout
    raise NotFoundError(
        f"the bundled sample data is missing: neither {packaged} (an installed wheel) nor {checkout} (a source "
        "checkout) holds data_samples/participants.csv and codebooks/asymmetries.yaml. Fix: reinstall "
        "asymmetry-qda from a wheel or an sdist, or run from a full checkout of the repository")


def sample_path() -> Path:
    """The folder of the invented sample study (``data_samples/`` in the repository).

    It holds ``transcripts/`` (15 documents), ``participants.csv``, ``codings/``
    (one folder per coder) and a ``README.md`` describing how it was made.

    Returns
    -------
    pathlib.Path
        An existing folder; read it, never write to it (it may be inside site-packages).

    Examples
    --------
    >>> (sample_path() / "README.md").is_file()
    True
    """
    return _data_root() / _SAMPLES


def sample_transcripts() -> Path:
    """The folder of the 15 sample documents, to pass to :meth:`Project.ingest <asymmetry_qda.Project.ingest>`.

    Examples
    --------
    >>> sorted(p.suffix for p in sample_transcripts().iterdir())[:3]
    ['.csv', '.docx', '.md']
    """
    return sample_path() / "transcripts"


def sample_participants() -> Path:
    """The participant attributes of the sample, one row per document (``participants.csv``).

    Examples
    --------
    >>> sample_participants().read_text(encoding="utf-8").splitlines()[0]
    'doc_id,participant_id,pseudonym,rank,function,data_type,leader,years_service'
    """
    return sample_path() / "participants.csv"


def sample_codings(coder: str | None = None) -> Path:
    """The sample coders' codings: the folder of all coders, or one coder's folder.

    Parameters
    ----------
    coder : str, optional
        ``"LT"`` (the lead coder), ``"MK"`` or ``"RS"``; by default the folder
        holding all three (what :meth:`Project.import_codings
        <asymmetry_qda.Project.import_codings>` takes).

    Raises
    ------
    NotFoundError
        When ``coder`` is not one of the sample's coders.

    Examples
    --------
    >>> sorted(p.name for p in sample_codings("LT").iterdir())[:2]
    ['FN01.csv', 'INT01.csv']
    """
    folder = sample_path() / "codings"
    if coder is None:
        return folder
    coders = _coders(folder)
    if coder not in coders:
        raise NotFoundError(f"coder {coder!r}: the sample has no codings by this coder; it has {', '.join(coders)}. "
                            "Fix: pass one of those, or no coder for all of them")
    return folder / coder


def study_codebook_path() -> Path:
    """The study codebook, ``codebooks/asymmetries.yaml`` in the repository.

    Examples
    --------
    >>> study_codebook_path().read_text(encoding="utf-8").startswith("#")
    True
    """
    return _data_root().joinpath(*_CODEBOOK)


def study_codebook() -> Codebook:
    """The study codebook, loaded and validated (:func:`~asymmetry_qda.codebook.load_codebook`).

    Examples
    --------
    >>> codebook = study_codebook()
    >>> len(codebook.codes) > 10
    True
    """
    from .codebook import load_codebook

    return load_codebook(study_codebook_path())


@dataclass(frozen=True, eq=False)
class Sample:
    """The sample study's files, and what they hold as tables (see :func:`load_sample`).

    Attributes
    ----------
    root, transcripts, participants, codings, codebook : pathlib.Path
        The sample folder, its documents folder, ``participants.csv``, the
        codings folder (one folder per coder) and the study codebook.
    coders : tuple of str
        The coders with codings in the sample, in alphabetical order (LT is the lead coder).
    documents : pandas.DataFrame
        One row per document: ``doc_id``, ``format`` (the file suffix) and ``path``.
    attributes : pandas.DataFrame
        ``participants.csv`` as text columns, one row per document.
    """

    root: Path
    transcripts: Path
    participants: Path
    codings: Path
    codebook: Path
    coders: tuple[str, ...]
    documents: pd.DataFrame = field(repr=False)
    attributes: pd.DataFrame = field(repr=False)


def load_sample() -> Sample:
    """The invented sample study: paths to its files, a listing of its documents and its attributes table.

    Returns
    -------
    Sample
        Pass ``sample.transcripts``, ``sample.participants``, ``sample.codings``
        and ``sample.codebook`` to a :class:`~asymmetry_qda.Project`, as
        :func:`~asymmetry_qda.reproduce.reproduce` does.

    Examples
    --------
    >>> sample = load_sample()
    >>> sample.documents.head(3)[["doc_id", "format"]].to_string(index=False)
    'doc_id format\\n  FN01    txt\\n  FN02    txt\\n  FN03    txt'
    >>> sample.attributes.loc[sample.attributes.doc_id == "INT02", ["rank", "leader"]].to_dict("records")
    [{'rank': 'Sergeant', 'leader': 'yes'}]

    Build a project from it (``pipeline="blank"`` needs no trained pipeline):

    >>> import tempfile, pathlib
    >>> from asymmetry_qda import Project
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with Project.create(folder / "sample.qda") as project:
    ...     report = project.ingest(sample.transcripts, attributes=sample.participants, pipeline="blank")
    ...     len(project.documents())
    15
    """
    import pandas as pd

    root = sample_path()
    transcripts = sample_transcripts()
    files = sorted((p for p in transcripts.iterdir() if p.is_file() and not p.name.startswith(".")),
                   key=lambda p: p.stem)
    documents = pd.DataFrame({"doc_id": [p.stem for p in files], "format": [p.suffix.lstrip(".") for p in files],
                              "path": files})
    attributes = pd.read_csv(sample_participants(), dtype=str, keep_default_na=False)
    codings = sample_codings()
    return Sample(root=root, transcripts=transcripts, participants=sample_participants(), codings=codings,
                  codebook=study_codebook_path(), coders=_coders(codings), documents=documents,
                  attributes=attributes)


def _coders(codings: Path) -> tuple[str, ...]:
    return tuple(sorted(p.name for p in codings.iterdir() if p.is_dir() and not p.name.startswith(".")))
