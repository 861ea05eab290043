"""What the tagger found in one text, in a form small enough to send between processes and Dask workers.

Both the local runner (:mod:`.run`) and the Dask workers (:mod:`.dask_run`) read a processed ``Doc`` through
:func:`matches_of`; neither needs the other.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TaggedMatch", "matches_of"]


@dataclass(frozen=True, slots=True)
class TaggedMatch:
    """One rule match in a text, with what the context component found: small and cheap to send between processes."""

    code_id: str
    rule_id: str
    start: int
    end: int
    weight: float | None
    context: tuple[str, ...]
    triggers: tuple[str, ...]


def matches_of(doc) -> list[TaggedMatch]:
    """The tagger's matches in a processed ``Doc``."""
    return [TaggedMatch(s.label_, s.kb_id_, s.start_char, s.end_char, s._.qda_weight, tuple(sorted(s._.qda_context)),
                        s._.qda_triggers) for s in doc.spans.get("qda", [])]
