"""The export guard: nothing with quotes leaves the machine while identifiers are unresolved.

Exports that carry participants' words (``.qdpx``, theme tables with quotes,
CSVs of codings, segments, disagreements or errors, the reproduction) call
:func:`check_export` first. It audits the project (see
:mod:`.audit`; the result is cached in the project by a fingerprint of the
texts, the lists, the rules and the pipeline, so a second export costs
nothing) and refuses with :class:`~asymmetry_qda.errors.IdentifiersFound`
while a finding of a blocking severity (``high``: names, stations, collar
numbers, contact details) is *unresolved*. A finding is resolved when it is

* pseudonymised (it is no longer in the text),
* covered by the project's allow list (a false alarm for the whole project), or
* dismissed: a person looked at that one finding and recorded why it is not
  identifying (:meth:`Project.dismiss_findings`).

The participants' free-text attributes (extra columns of the attributes
table, and ``function``), which go into ``.qdpx`` archives and theme tables,
are audited too (:func:`~.audit.audit_attributes`): their findings carry the
``doc_id`` ``participant:<participant_id>:<attribute>`` and block exports
like the documents' until they are pseudonymised, allow-listed, or corrected
in the attributes table.

``allow_identifiers=True`` (``--allow-identifiers``) overrides the guard for
an export that stays with the team; it warns with the number of unresolved
findings.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from .._keywords import renamed
from ..errors import IdentifiersFound, InputError, Problem, ProjectError, QDAWarning, StoreError
from ..pipelines import BLANK, is_language, pipeline_label, resolve_model
from ..records import text_sha256
from ..store import documents as stored_documents
from ..store import meta as stored_meta
from ..store.sqlite import HasStore, Store, store_of, utc_now
from . import audit as audit_module  # audit_texts is called through its module, so a test can count the audits
from .audit import COLUMNS, RULES, STUDY_VOCABULARY, attribute_texts, audit_attributes, is_attribute_location

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["BLOCKING", "attribute_findings", "audit_fingerprint", "check_export", "dismiss_findings", "findings",
           "project_audit", "unresolved"]

#: Severities that block an export.
BLOCKING: tuple[str, ...] = ("high",)
_SHOWN = 10


def _pipeline_versions(pipeline: "str | Language") -> tuple[str, dict[str, str]]:
    """The pipeline's name (a loaded one's label) and the versions of the toolkit, spaCy and the pipeline package."""
    name = pipeline_label(pipeline) if is_language(pipeline) else resolve_model(pipeline)
    versions = {"asymmetry_qda": importlib.metadata.version("asymmetry_qda"),
                "spacy": importlib.metadata.version("spacy")}
    if name != BLANK and not is_language(pipeline):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a pipeline outside a distribution
            versions[name] = "unknown"
    return name, versions


def _memo_key(pipeline: "str | Language") -> str | None:
    """What the project's NER memo is kept under for ``pipeline``: its package name and the versions; ``None``
    for a pipeline loaded by the caller (which may have been changed since it was loaded) or the blank one."""
    if is_language(pipeline):
        return None
    name, versions = _pipeline_versions(pipeline)
    return None if name == BLANK else json.dumps({"model": name, "versions": versions}, sort_keys=True)


@renamed(model="pipeline")
def audit_fingerprint(documents: Iterable[tuple[str, str]], *, pipeline: "str | Language", allow: Sequence[str],
                      deny: Sequence[str], pseudonyms: Sequence[str], vocabulary: Sequence[str] | None = None) -> str:
    """A hash of everything an audit's result depends on: (document id, text hash) pairs, lists, rules, pipeline.

    ``vocabulary`` is the audit's ``vocabulary=`` (``None``: the packaged :data:`STUDY_VOCABULARY`).
    """
    name, versions = _pipeline_versions(pipeline)
    payload = {
        "model": name, "versions": versions, "allow": sorted(allow), "deny": sorted(deny),
        "pseudonyms": sorted(pseudonyms), "documents": sorted(documents),
        "rules": [(r.id, r.kind, r.severity, r.regex.pattern) for r in RULES],
        "vocabulary": list(STUDY_VOCABULARY if vocabulary is None else vocabulary),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


@renamed(model="pipeline")
def attribute_findings(project: "HasStore | Store", *, pipeline: "str | Language" = "auto") -> pd.DataFrame:
    """Audit findings in the participants' free-text attributes, with the project's lists and pseudonyms."""
    db = store_of(project).connection
    lists = stored_meta.audit_lists(db)
    pseudonyms = [p for p in stored_documents.participants(db)["pseudonym"].dropna()]
    return audit_attributes(db, pipeline=pipeline, allow=lists["allow"], deny=lists["deny"], pseudonyms=pseudonyms)


@renamed(model="pipeline")
def project_audit(project: "HasStore | Store", *, pipeline: "str | Language" = "auto",
                  doc_id: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Likely identifiers left in the project's documents (``Project.audit``): every document's, or ``doc_id``'s.

    The participants' pseudonyms and the project's allow list are not flagged, its deny list always is. The
    whole project's audit also covers the participants' free-text attributes (``participant:ID:NAME``), and is
    cached in the project, keyed by :func:`audit_fingerprint` of the texts, attributes, lists, rules and pipeline.
    With a pipeline given by name (``"auto"``, a package), NER reads only the texts it has not read before: the
    entities it found are kept in the project by text and pipeline version (see
    :class:`~asymmetry_qda.anonymise.audit.EntityMemo`), so after a pseudonymisation or a new interview only the
    documents that changed are read again. An audit of the whole project drops the entities of texts it no longer
    holds.
    """
    store = store_of(project)
    db = store.connection
    shas = stored_documents.fingerprint(db)
    ids = [d for d, _ in shas] if doc_id is None else [doc_id] if isinstance(doc_id, str) else list(doc_id)
    lists = stored_meta.audit_lists(db)
    pseudonyms = [p for p in stored_documents.participants(db)["pseudonym"].dropna()]
    if doc_id is None:
        attributes = [(loc, text_sha256(value)) for loc, value in sorted(attribute_texts(db).items())]
        fingerprint = audit_fingerprint([*shas, *attributes], pipeline=pipeline, pseudonyms=pseudonyms, **lists)
        cached = stored_meta.audit_cache(db)
        if cached is not None and cached.get("fingerprint") == fingerprint:
            frame = pd.DataFrame(cached["findings"], columns=cached["columns"])
            return frame.astype({c: "int64" for c in ("start", "end", "core_start", "core_end")})
    # (the cache holds the documents' and the attributes' findings; attributes are in its fingerprint)
    texts = stored_documents.texts(db, ids)
    key = _memo_key(pipeline)
    memo = audit_module.EntityMemo(known=stored_meta.ner_entities(db, key)) if key is not None else None
    frame = audit_module.audit_texts({d: texts[d] for d in ids}, pipeline=pipeline, allow=lists["allow"],
                                     deny=lists["deny"], pseudonyms=pseudonyms, memo=memo)
    if doc_id is None:
        found = attribute_findings(store, pipeline=pipeline)
        if not found.empty:
            frame = pd.concat([frame, found[list(frame.columns)]], ignore_index=True)
    remember = memo is not None and bool(memo.new or doc_id is None)
    if (remember or doc_id is None) and not store.read_only:
        try:  # caches only: a read-only, busy or full project is audited again next time
            with store.transaction(wait=1.0) as write:
                if remember:
                    stored_meta.set_ner_entities(write, key, {d: memo.used[d] for d in memo.new},
                                                 documents=ids if doc_id is None else None)
                if doc_id is None:
                    stored_meta.set_audit_cache(write, fingerprint, frame)
        except (ProjectError, StoreError):
            pass
    return frame


def dismiss_findings(project: "HasStore | Store", findings: pd.DataFrame | str | Sequence[str], *, by: str,
                     reason: str) -> int:
    """Record that ``by`` checked these findings and judged them not identifying (``Project.dismiss_findings``).

    ``findings`` are rows of the audit or finding ids ``DOC:START-END``. Every problem is reported at once;
    the dismissals are one transaction. Returns how many findings were dismissed.
    """
    from ..decisions import check_coder

    check_coder(by)
    if not isinstance(reason, str) or not reason.strip():
        raise InputError(Problem("reason", "a dismissal needs a reason", fix="say why the finding identifies "
                                 "no one, e.g. reason='a public figure named in the news'"))
    store = store_of(project)
    audit = project_audit(store)
    if isinstance(findings, pd.DataFrame):
        wanted = list(zip(findings["doc_id"], findings["start"], findings["end"], strict=True))
    else:
        wanted = []
        for token in [findings] if isinstance(findings, str) else list(findings):
            doc, _, span = str(token).rpartition(":")
            start, _, end = span.partition("-")
            if not (doc and start.isdigit() and end.isdigit()):
                raise InputError(Problem(str(token), "is not a finding id", fix="write DOC:START-END, e.g. "
                                         "INT02:5802-5817, as in the audit's doc_id, start and end columns"))
            wanted.append((doc, int(start), int(end)))
    rows, problems = [], []
    for doc, start, end in wanted:
        if is_attribute_location(doc):
            problems.append(Problem(f"{doc}:{start}-{end}", "is a finding in a participant attribute, which "
                                    "cannot be dismissed one by one", fix="pseudonymise it, add it to the allow "
                                    "list, or correct the attributes table and ingest it again"))
            continue
        match = audit[(audit["doc_id"] == doc) & (audit["start"] == int(start)) & (audit["end"] == int(end))]
        if match.empty:
            problems.append(Problem(f"{doc}:{start}-{end}", "is not a current finding of the audit",
                                    fix="run the audit and use its doc_id, start and end"))
        rows += [(r.doc_id, int(r.start), int(r.end), r.text, r.kind) for r in match.itertuples(index=False)]
    if problems:
        raise InputError(problems)
    with store.transaction() as db:
        stored_meta.record_dismissals(db, rows, by=by, reason=reason.strip(), now=utc_now())
    return len(rows)


@renamed(model="pipeline")
def findings(project: "HasStore | Store", *, pipeline: "str | Language" = "auto") -> pd.DataFrame:
    """Everything the guard looks at: the whole project's audit, documents and attributes (:func:`project_audit`)."""
    return project_audit(project, pipeline=pipeline)


@renamed(model="pipeline")
def unresolved(project: "HasStore | Store", *, severity: Sequence[str] = BLOCKING,
               pipeline: "str | Language" = "auto") -> pd.DataFrame:
    """Audit findings (documents and attributes) of ``severity`` that are not dismissed (allow-listed ones are
    never found)."""
    found = findings(project, pipeline=pipeline)
    found = found[found["severity"].isin(list(severity))]
    dismissed = stored_meta.dismissals(store_of(project).connection)
    if len(dismissed) and len(found):
        keys = set(zip(dismissed["doc_id"], dismissed["start"], dismissed["end"], dismissed["kind"], strict=True))
        keep = [k not in keys for k in zip(found["doc_id"], found["start"], found["end"],
                                           found["kind"], strict=True)]
        found = found[keep]
    return found.reset_index(drop=True)[list(COLUMNS)]


@renamed(model="pipeline")
def check_export(project: "HasStore | Store", what: str, *, allow_identifiers: bool = False,
                 pipeline: "str | Language" = "auto") -> pd.DataFrame:
    """Refuse to write ``what`` while blocking findings are unresolved; returns them.

    With ``allow_identifiers`` the export goes ahead and a
    :class:`~asymmetry_qda.errors.QDAWarning` says how many are left.
    """
    path = store_of(project).path
    left = unresolved(project, pipeline=pipeline)
    if left.empty:
        return left
    listing = "; ".join(f"{r.doc_id} [{r.start}, {r.end}) {r.text!r} ({r.kind})"
                        for r in left.head(_SHOWN).itertuples(index=False))
    more = f" and {len(left) - _SHOWN} more" if len(left) > _SHOWN else ""
    in_attributes = sum(is_attribute_location(d) for d in left["doc_id"])
    holders = "the documents and participant attributes" if in_attributes else "the documents"
    attributes = (f" ({in_attributes} in participant attributes, doc_id participant:ID:ATTRIBUTE: pseudonymise "
                  "rewrites them too, or correct the attributes table and ingest it again)" if in_attributes else "")
    if allow_identifiers:
        warnings.warn(f"{path}: writing {what} although {len(left)} high-severity finding(s) of the "
                      f"anonymisation audit are unresolved ({listing}{more}); keep this export with the team",
                      QDAWarning, stacklevel=3)
        return left
    raise IdentifiersFound(
        f"{path}: refusing to write {what}: {holders} still hold {len(left)} likely identifier(s) "
        f"of high severity that nobody has resolved{attributes}: {listing}{more}. Fix: pseudonymise them "
        "('asymmetry-qda pseudonymise PROJECT --key FILE.json', with the key kept outside the project), add false "
        "alarms to the allow list ('asymmetry-qda audit PROJECT --allow ...') or dismiss them one by one with a "
        "reason ('asymmetry-qda audit PROJECT --dismiss ID --by NAME --reason ...'); or, for an export that stays "
        "with the team, pass --allow-identifiers (allow_identifiers=True)", left)
