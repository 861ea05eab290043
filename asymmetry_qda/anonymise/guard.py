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

from ..errors import IdentifiersFound, QDAWarning
from ..nlp import BLANK, resolve_model
from .audit import COLUMNS, RULES, STUDY_VOCABULARY, audit_attributes, is_attribute_location

if TYPE_CHECKING:  # pragma: no cover
    from ..project import Project

__all__ = ["BLOCKING", "attribute_findings", "audit_fingerprint", "check_export", "findings", "unresolved"]

#: Severities that block an export.
BLOCKING: tuple[str, ...] = ("high",)
_SHOWN = 10


def audit_fingerprint(documents: Iterable[tuple[str, str]], *, model: str, allow: Sequence[str],
                      deny: Sequence[str], pseudonyms: Sequence[str], vocabulary: Sequence[str] | None = None) -> str:
    """A hash of everything an audit's result depends on: (document id, text hash) pairs, lists, rules, pipeline.

    ``vocabulary`` is the audit's ``vocabulary=`` (``None``: the packaged :data:`STUDY_VOCABULARY`).
    """
    name = resolve_model(model)
    versions = {"asymmetry_qda": importlib.metadata.version("asymmetry_qda"),
                "spacy": importlib.metadata.version("spacy")}
    if name != BLANK:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a pipeline outside a distribution
            versions[name] = "unknown"
    payload = {
        "model": name, "versions": versions, "allow": sorted(allow), "deny": sorted(deny),
        "pseudonyms": sorted(pseudonyms), "documents": sorted(documents),
        "rules": [(r.id, r.kind, r.severity, r.regex.pattern) for r in RULES],
        "vocabulary": list(STUDY_VOCABULARY if vocabulary is None else vocabulary),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def attribute_findings(project: "Project", *, model: str = "auto") -> pd.DataFrame:
    """Audit findings in the participants' free-text attributes, with the project's lists and pseudonyms."""
    lists = project.audit_lists()
    pseudonyms = [p for p in project.participants()["pseudonym"].dropna()]
    return audit_attributes(project._db, model=model, allow=lists["allow"], deny=lists["deny"],
                            pseudonyms=pseudonyms)


def findings(project: "Project", *, model: str = "auto") -> pd.DataFrame:
    """Everything the guard looks at: :meth:`Project.audit` of the documents and :func:`attribute_findings`."""
    return project.audit(model=model)  # (the whole project's audit includes the attributes)


def unresolved(project: "Project", *, severity: Sequence[str] = BLOCKING, model: str = "auto") -> pd.DataFrame:
    """Audit findings (documents and attributes) of ``severity`` that are not dismissed (allow-listed ones are
    never found)."""
    found = findings(project, model=model)
    found = found[found["severity"].isin(list(severity))]
    dismissed = project.dismissals()
    if len(dismissed) and len(found):
        keys = set(zip(dismissed["doc_id"], dismissed["start"], dismissed["end"], dismissed["kind"], strict=True))
        keep = [k not in keys for k in zip(found["doc_id"], found["start"], found["end"],
                                           found["kind"], strict=True)]
        found = found[keep]
    return found.reset_index(drop=True)[list(COLUMNS)]


def check_export(project: "Project", what: str, *, allow_identifiers: bool = False,
                 model: str = "auto") -> pd.DataFrame:
    """Refuse to write ``what`` while blocking findings are unresolved; returns them.

    With ``allow_identifiers`` the export goes ahead and a
    :class:`~asymmetry_qda.errors.QDAWarning` says how many are left.
    """
    left = unresolved(project, model=model)
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
        warnings.warn(f"{project.path}: writing {what} although {len(left)} high-severity finding(s) of the "
                      f"anonymisation audit are unresolved ({listing}{more}); keep this export with the team",
                      QDAWarning, stacklevel=3)
        return left
    raise IdentifiersFound(
        f"{project.path}: refusing to write {what}: {holders} still hold {len(left)} likely identifier(s) "
        f"of high severity that nobody has resolved{attributes}: {listing}{more}. Fix: pseudonymise them "
        "('asymmetry-qda pseudonymise PROJECT --key FILE.json', with the key kept outside the project), add false "
        "alarms to the allow list ('asymmetry-qda audit PROJECT --allow ...') or dismiss them one by one with a "
        "reason ('asymmetry-qda audit PROJECT --dismiss ID --by NAME --reason ...'); or, for an export that stays "
        "with the team, pass --allow-identifiers (allow_identifiers=True)", left)
