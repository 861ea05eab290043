"""The ``qda_`` extension attributes that the tagger's components set.

Rule matches live in ``doc.spans["qda"]`` (overlap allowed, never ``doc.ents``).
spaCy keys custom span attributes by character offsets only, so two codes
matched on the same words would share any value stored on the span. Each match
therefore carries its code as ``span.label_``, its rule as ``span.kb_id_`` and a
unique ``span.id_``; the ``Span._.qda_*`` attributes are getters that read
those, and a per-document table (``doc._.qda_info``) keyed by ``span.id_`` holds
the weight and context.

=====================  ===================================================
attribute              value
=====================  ===================================================
``Span._.qda_code``    code id (``span.label_``)
``Span._.qda_rule``    rule id (``span.kb_id_``)
``Span._.qda_weight``  the rule's weight
``Span._.qda_context`` frozenset of context flags: ``negated``,
                       ``anticipated``, ``reported``
``Span._.qda_triggers`` ids of the context triggers that set those flags
``Doc._.qda_info``     the table behind the span getters
=====================  ===================================================
"""

from __future__ import annotations

from typing import Any

SPANS_KEY = "qda"


def _info(span) -> dict[str, Any]:
    return span.doc._.qda_info.get(span.id_, {})


def register_extensions() -> None:
    """Register the ``qda_`` attributes once per process (safe to call again)."""
    from spacy.tokens import Doc, Span

    if not Doc.has_extension("qda_info"):
        Doc.set_extension("qda_info", default=None)
    getters = {
        "qda_code": lambda span: span.label_ or None,
        "qda_rule": lambda span: span.kb_id_ or None,
        "qda_weight": lambda span: _info(span).get("weight"),
        "qda_context": lambda span: frozenset(_info(span).get("context", ())),
        "qda_triggers": lambda span: tuple(_info(span).get("triggers", ())),
    }
    for name, getter in getters.items():
        if not Span.has_extension(name):
            Span.set_extension(name, getter=getter)


def ensure_info(doc) -> dict[str, dict[str, Any]]:
    """The document's match table, created on first use."""
    if doc._.qda_info is None:
        doc._.qda_info = {}
    return doc._.qda_info
