"""CodeSuggester: the scikit-learn estimator contract, learning, hard negatives, rule features and input checks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_info

from asymmetry_qda.errors import ArgumentError, QDAWarning
from asymmetry_qda.suggester import CodeSuggester
from asymmetry_qda.suggester import estimator as estimator_module
from asymmetry_qda.suggester.estimator import _best_f1_threshold

BLAME, PRAISE = "response.blame", "response.praise"
NAMES = ["the inspector", "my sergeant", "the superintendent", "the chief", "management", "the duty officer",
         "the custody sergeant", "headquarters"]
EVENTS = ["the pursuit", "the stop and search", "the arrest", "the missing person case", "the raid",
          "the crash on the ring road", "the night shift", "the football match"]

# Each code has training templates and held-out templates: the held-out sentences share the code's
# vocabulary (blamed, hauled in, IOPC / thanks, well done, commendation) but not the sentence frames.
TEMPLATES = {
    "blame": (
        ["{who} blamed me for {event}.", "I got hauled in after {event} and blamed for it.",
         "The IOPC investigated me over {event}.", "Everyone blamed the team when {event} went wrong.",
         "{who} hauled me in over {event}.", "There was an IOPC referral and I was blamed after {event}."],
        ["After {event} it was me who was blamed, again.", "They hauled me in because of {event}, and the IOPC "
         "got involved."],
    ),
    "praise": (
        ["{who} thanked me for {event}.", "I got a commendation for {event}.", "{who} said well done after {event}.",
         "We were thanked by {who} for {event}.", "There was a thank you card after {event}.",
         "{who} put me up for a commendation after {event}."],
        ["Well done, said {who}, after {event}, and thanks.", "A commendation came through for {event}, with "
         "thanks from {who}."],
    ),
    "chat": (
        ["The canteen was closed before {event}.", "I drove the van to {event}.", "It rained all through {event}.",
         "{who} parked the car near {event}.", "We had tea before {event}.", "The radio was quiet during {event}.",
         "I changed shifts around {event}.", "{who} wore a new uniform to {event}."],
        ["The coffee machine broke on the day of {event}.", "{who} came by bus to {event}."],
    ),
}


def _sentences(kind: str, held_out: bool, n: int, rng: np.random.Generator) -> list[str]:
    templates = TEMPLATES[kind][1 if held_out else 0]
    out = []
    for i in range(n):
        template = templates[i % len(templates)]
        sentence = template.format(who=NAMES[rng.integers(len(NAMES))], event=EVENTS[rng.integers(len(EVENTS))])
        out.append(sentence[0].upper() + sentence[1:])
    return out


def corpus(n_per_kind: int = 30, *, held_out: bool = False, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(X, Y): blame, praise and small-talk sentences, shuffled, with 1/0 labels of the two codes."""
    rng = np.random.default_rng(seed)
    rows = []
    for kind in ("blame", "praise", "chat"):
        rows += [(text, int(kind == "blame"), int(kind == "praise"))
                 for text in _sentences(kind, held_out, n_per_kind, rng)]
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    X = pd.DataFrame({"text": [r[0] for r in rows]})
    Y = pd.DataFrame({BLAME: [r[1] for r in rows], PRAISE: [r[2] for r in rows]})
    return X, Y


def fast(**params) -> CodeSuggester:
    return CodeSuggester(**{"max_features": 5000, **params})


# -- the scikit-learn contract ---------------------------------------------------------------
NON_DEFAULT = dict(min_examples=3, C=0.5, word_ngrams=(1, 3), char_ngrams=(2, 4), max_features=500,
                   hard_negative_weight=7.5, calibration="isotonic", cv=4, threshold=0.3, semantic=True,
                   random_state=11)


def test_get_params_returns_the_constructor_values_unchanged():
    est = CodeSuggester(**NON_DEFAULT)
    params = est.get_params()
    assert params == NON_DEFAULT
    assert params["word_ngrams"] is NON_DEFAULT["word_ngrams"]
    defaults = CodeSuggester().get_params()
    assert defaults == dict(min_examples=5, C=1.0, word_ngrams=(1, 2), char_ngrams=(3, 5), max_features=20000,
                            hard_negative_weight=3.0, calibration="sigmoid", cv=3, threshold=0.5, semantic=False,
                            random_state=0)


def test_clone_gives_equal_params_and_an_unfitted_estimator():
    X, Y = corpus(10)
    est = fast(min_examples=3, C=2.0).fit(X, Y)
    copy = clone(est)
    assert copy is not est
    assert copy.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        copy.predict_proba(X)
    assert not [name for name in vars(copy) if name.endswith("_")]


def test_set_params_changes_parameters_and_returns_self():
    est = CodeSuggester()
    assert est.set_params(C=0.1, threshold=0.7, word_ngrams=(1, 1)) is est
    assert (est.C, est.threshold, est.word_ngrams) == (0.1, 0.7, (1, 1))
    with pytest.raises(ValueError):  # sklearn rejects unknown parameters
        est.set_params(no_such_parameter=1)


def test_fit_returns_self_and_sets_only_trailing_underscore_attributes():
    X, Y = corpus(10)
    est = fast()
    before = set(vars(est))
    assert not [name for name in before if name.endswith("_")]
    assert est.fit(X, Y) is est
    learned = set(vars(est)) - before
    assert learned and all(name.endswith("_") for name in learned)
    assert {"classes_", "estimators_", "skipped_codes_", "vectorizer_", "n_features_in_", "feature_names_in_",
            "n_training_units_"} <= learned
    assert est.classes_.tolist() == [BLAME, PRAISE]
    assert set(est.estimators_) == {BLAME, PRAISE}
    assert est.skipped_codes_ == {}
    assert est.n_training_units_ == 30
    assert est.feature_names_in_.tolist() == ["text"] and est.n_features_in_ == 1
    assert est.get_params() == fast().get_params()  # fitting leaves the parameters alone


@pytest.mark.parametrize("method", ["predict_proba", "predict", "predict_frame", "decision_uncertainty"])
def test_not_fitted_error_before_fit(method):
    with pytest.raises(NotFittedError):
        getattr(CodeSuggester(), method)(["a sentence"])


@pytest.mark.parametrize("name, value", [
    ("min_examples", 1), ("min_examples", 2.5), ("C", 0), ("C", float("nan")), ("word_ngrams", (2, 1)),
    ("char_ngrams", "3-5"), ("max_features", 0), ("hard_negative_weight", -1), ("calibration", "platt"),
    ("cv", 1), ("threshold", 1.5), ("threshold", "auto"), ("semantic", "yes"), ("random_state", "seed"),
])
def test_init_accepts_anything_and_fit_rejects_bad_values(name, value):
    est = CodeSuggester(**{name: value})  # no validation in __init__
    assert est.get_params()[name] is value
    X, Y = corpus(10)
    with pytest.raises(ArgumentError, match=name) as info:
        est.fit(X, Y)
    assert isinstance(info.value, ValueError)


def test_calibration_message_lists_allowed_values():
    X, Y = corpus(10)
    with pytest.raises(ArgumentError, match="'sigmoid' or 'isotonic'"):
        CodeSuggester(calibration="platt").fit(X, Y)


# -- learning ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained() -> CodeSuggester:
    X, Y = corpus(30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing from scikit-learn (convergence, user, future warnings) escapes
        return CodeSuggester().fit(X, Y)


def test_learns_the_codes_on_held_out_templates(trained):
    X, Y = corpus(20, held_out=True, seed=99)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predicted = trained.predict(X)
    for j, code in enumerate(trained.classes_):
        truth = Y[code].to_numpy() == 1
        hits = predicted[:, j] == 1
        recall = (hits & truth).sum() / truth.sum()
        precision = (hits & truth).sum() / max(hits.sum(), 1)
        assert recall > 0.7 and precision > 0.7, (code, recall, precision)


def test_prediction_shapes_and_frames(trained):
    X, _ = corpus(5, held_out=True, seed=3)
    X.index = [f"u{i}" for i in range(len(X))]
    p = trained.predict_proba(X)
    assert p.shape == (15, 2) and ((p >= 0) & (p <= 1)).all()
    assert set(np.unique(trained.predict(X))) <= {0, 1}
    frame = trained.predict_frame(X)
    assert frame.columns.tolist() == [BLAME, PRAISE] and frame.index.tolist() == X.index.tolist()
    np.testing.assert_array_equal(frame.to_numpy(), p)
    np.testing.assert_array_equal(trained.predict_proba(X["text"].tolist()), p)  # a list of texts works too
    uncertainty = trained.decision_uncertainty(X)
    np.testing.assert_allclose(uncertainty, (1 - np.abs(2 * p - 1)).max(axis=1))
    assert uncertainty.shape == (15,)
    assert trained.predict_proba([]).shape == (0, 2)


def test_threshold_sets_predict():
    X, Y = corpus(10)
    low = fast(threshold=0.0).fit(X, Y)
    high = fast(threshold=1.0).fit(X, Y)
    assert low.predict(X).all()
    np.testing.assert_array_equal(high.predict(X), (high.predict_proba(X) >= 1.0).astype(int))
    np.testing.assert_array_equal(low.predict_proba(X), high.predict_proba(X))


def test_fitting_twice_gives_identical_probabilities():
    X, Y = corpus(15)
    held, _ = corpus(5, held_out=True, seed=1)
    first = fast().fit(X, Y).predict_proba(held)
    second = fast().fit(X, Y).predict_proba(held)
    np.testing.assert_array_equal(first, second)


# -- hard negatives -------------------------------------------------------------------------------
def test_hard_negative_weight_lowers_the_rejected_pattern():
    """The tagger suggested blame on "Nobody blamed me ..."; a coder rejected it there (-1) six times."""
    rng = np.random.default_rng(3)
    X, Y = corpus(20, seed=3)
    pattern = "Nobody blamed me for {}."
    rejected = [pattern.format(EVENTS[rng.integers(len(EVENTS))]) for _ in range(6)]
    X = pd.concat([X, pd.DataFrame({"text": rejected})], ignore_index=True)
    Y = pd.concat([Y, pd.DataFrame({BLAME: [-1] * 6, PRAISE: [0] * 6})], ignore_index=True)
    probe = [pattern.format(event) for event in EVENTS[:3]] + ["Nobody blamed me for the whole thing."]
    light = fast(hard_negative_weight=1.0).fit(X, Y)
    heavy = fast(hard_negative_weight=10.0).fit(X, Y)
    p_light, p_heavy = light.predict_proba(probe)[:, 0], heavy.predict_proba(probe)[:, 0]
    assert (p_heavy < p_light / 3).all(), (p_light, p_heavy)
    assert p_light.mean() - p_heavy.mean() > 0.05, (p_light, p_heavy)
    # blame in other words is still recognised
    blame = ["I got hauled in after the raid.", "The IOPC investigated me over the arrest."]
    assert (heavy.predict_proba(blame)[:, 0] > 0.5).all()
    # and -1 counts as a negative, never as a positive
    as_zero = fast(hard_negative_weight=1.0).fit(X, Y.replace(-1, 0))
    np.testing.assert_allclose(as_zero.predict_proba(probe), light.predict_proba(probe))


# -- rule and context features --------------------------------------------------------------------
def test_rule_features_are_used_when_text_is_uninformative():
    rng = np.random.default_rng(0)
    n = 80
    texts = _sentences("chat", False, n, rng)  # small talk only: text says nothing about the code
    confidence = rng.uniform(0, 1, n)
    X = pd.DataFrame({"text": texts, f"rule:{BLAME}": confidence, "context:negated": np.zeros(n)})
    Y = pd.DataFrame({BLAME: (confidence > 0.5).astype(int)})
    est = fast().fit(X, Y)
    assert est.feature_names_in_.tolist() == ["text", f"rule:{BLAME}", "context:negated"]
    grid = np.linspace(0.05, 0.95, 10)
    probe = pd.DataFrame({"text": _sentences("chat", True, 10, rng), f"rule:{BLAME}": grid,
                          "context:negated": np.zeros(10)})
    p = est.predict_proba(probe)[:, 0]
    assert p[:3].mean() < 0.3 and p[-3:].mean() > 0.7, p
    assert np.corrcoef(grid, p)[0, 1] > 0.9, p
    # without the rule column the text-only model cannot tell
    text_only = fast().fit(X[["text"]], Y).predict_proba(probe)[:, 0]
    assert np.ptp(text_only) < np.ptp(p) / 2


def test_context_flag_is_used():
    rng = np.random.default_rng(1)
    n = 60
    negated = np.tile([0.0, 1.0], n // 2)
    X = pd.DataFrame({"text": _sentences("blame", False, n, rng), f"rule:{BLAME}": np.ones(n),
                      "context:negated": negated})
    Y = pd.DataFrame({BLAME: (negated == 0).astype(int)})  # "I was not blamed": a negated rule match is no blame
    est = fast().fit(X, Y)
    probe = pd.DataFrame({"text": ["My sergeant blamed me for the raid."] * 2, f"rule:{BLAME}": [1.0, 1.0],
                          "context:negated": [0.0, 1.0]})
    p = est.predict_proba(probe)[:, 0]
    assert p[0] > 0.75 and p[0] - p[1] > 0.35, p


def test_feature_columns_outside_unit_interval_are_scaled_and_missing_values_are_zero():
    rng = np.random.default_rng(2)
    n = 60
    score = rng.uniform(0, 100, n)  # not a 0..1 confidence: scaled with the training range
    X = pd.DataFrame({"text": _sentences("chat", False, n, rng), f"rule:{BLAME}": score, "other": "ignored"})
    Y = pd.DataFrame({BLAME: (score > 50).astype(int)})
    est = fast().fit(X, Y)
    probe = pd.DataFrame({"text": ["We had tea."] * 3, f"rule:{BLAME}": [5.0, 95.0, np.nan]})
    p = est.predict_proba(probe)[:, 0]
    assert p[0] < 0.3 and p[1] > 0.7 and p[2] < 0.3
    assert est.vectorizer_.transform(est._input(probe))[:, -1].toarray().ravel().tolist() == pytest.approx(
        [(5 - score.min()) / np.ptp(score), (95 - score.min()) / np.ptp(score), 0.0])


def test_predicting_without_a_trained_rule_column_is_an_error():
    X, Y = corpus(10)
    X[f"rule:{BLAME}"] = Y[BLAME].astype(float)
    est = fast().fit(X, Y)
    with pytest.raises(ArgumentError, match=f"rule:{BLAME}"):
        est.predict_proba(["The chief blamed me."])


# -- too few examples and bad input ---------------------------------------------------------------
def test_codes_with_too_few_examples_are_skipped_with_one_warning_naming_them():
    X, Y = corpus(10)
    Y["response.anger"] = [1, 1] + [0] * (len(Y) - 2)
    Y["response.fear"] = [1] + [0] * (len(Y) - 1)
    Y["response.always"] = 1  # no negatives
    with pytest.warns(QDAWarning) as record:
        est = fast().fit(X, Y)
    assert len(record) == 1
    message = str(record[0].message)
    assert "too few human examples (< 5)" in message
    assert "response.anger (2)" in message and "response.fear (1)" in message and "response.always (30" in message
    assert BLAME not in message and PRAISE not in message
    assert est.classes_.tolist() == [BLAME, PRAISE]
    assert est.skipped_codes_ == {"response.anger": 2, "response.fear": 1, "response.always": 30}
    assert est.predict_proba(X).shape == (30, 2)


def test_every_code_skipped_is_an_error():
    X, Y = corpus(10)
    with pytest.raises(ArgumentError, match=r"no code has at least 50 human examples.*response\.blame \(10\).*"
                                            r"lower min_examples"):
        fast(min_examples=50).fit(X, Y)


def test_cv_thresholds_are_chosen_on_held_out_folds_of_the_training_data():
    X, Y = corpus(10)
    est = fast(threshold="cv").fit(X, Y)
    assert set(est.thresholds_) == set(est.classes_)
    assert all(0.0 < t <= 1.0 for t in est.thresholds_.values())
    cut = np.array([est.thresholds_[c] for c in est.classes_])
    np.testing.assert_array_equal(est.predict(X), (est.predict_proba(X) >= cut).astype(int))
    # the vocabulary separates the codes, so the held-out F1 is best well above zero: not a threshold of 0
    assert min(est.thresholds_.values()) > 0.05
    fixed = fast(threshold=0.3).fit(X, Y)
    assert set(fixed.thresholds_.values()) == {0.3}


def _best_f1_by_counting(scores: np.ndarray, y: np.ndarray) -> float:
    """The reference: every distinct score as a cut, highest first, each one's F1 counted unit by unit."""
    best, best_f1 = 0.5, 0.0
    for cut in sorted(set(scores.tolist()), reverse=True):
        chosen = scores >= cut
        tp = int((chosen & (y == 1)).sum())
        f1 = 2 * tp / (int(chosen.sum()) + int(y.sum())) if y.sum() else 0.0
        if f1 > best_f1:
            best, best_f1 = float(cut), f1
    return best


@pytest.mark.parametrize("seed", range(6))
def test_the_best_f1_cut_is_the_one_found_by_counting_each_cut(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 80))
    scores = np.round(rng.random(n), int(rng.integers(1, 3)))  # rounded: many ties among the scores
    y = (rng.random(n) < rng.uniform(0.1, 0.6)).astype(int)
    assert _best_f1_threshold(scores, y) == _best_f1_by_counting(scores, y)


def test_the_best_f1_cut_prefers_the_higher_of_tied_cuts_and_is_one_half_without_positives():
    # cut 0.9 takes one unit (tp 1: F1 2/3), cut 0.8 two (tp 2: F1 1) and cut 0.1 four (tp 2: F1 2/3)
    assert _best_f1_threshold(np.array([0.9, 0.8, 0.1, 0.1]), np.array([1, 1, 0, 0])) == 0.8
    # cut 0.7 (tp 1, one unit taken) and cut 0.4 (tp 2, four taken) both give F1 2/3: the higher cut wins
    assert _best_f1_threshold(np.array([0.7, 0.4, 0.4, 0.4]), np.array([1, 1, 0, 0])) == 0.7
    assert _best_f1_threshold(np.array([0.3, 0.6]), np.array([0, 0])) == 0.5


def test_cv_thresholds_are_the_best_f1_on_probabilities_of_units_each_fold_held_out():
    """Recomputed here from the fitted folds: unit i's probability comes from the one calibrated classifier
    that did not learn from it; a threshold taken from the final model's in-sample probabilities fails."""
    X, Y = corpus(10)
    est = fast(threshold="cv", cv=3).fit(X, Y)
    Z = est.vectorizer_.transform(X)
    for code in est.classes_:
        y = Y[code].to_numpy()
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=est.random_state)
        held_out = np.zeros(len(y))
        calibrated = est.estimators_[code].calibrated_classifiers_
        for fold, (_, test) in zip(calibrated, folds.split(np.zeros(len(y)), y), strict=True):
            held_out[test] = fold.predict_proba(Z[test])[:, 1]
        # transform here and fit_transform in fit may differ in the last bit of a probability
        assert est.thresholds_[code] == pytest.approx(_best_f1_by_counting(held_out, y), rel=1e-9, abs=0)
        full = est.estimators_[code].predict_proba(Z)[:, 1]
        assert not np.isclose(full, est.thresholds_[code], rtol=1e-9, atol=0).any()  # not a final-model score


def test_the_classifiers_are_fitted_with_one_blas_thread_and_the_limit_is_lifted_after(monkeypatch):
    """More BLAS threads do not make the lbfgs steps faster, only cost CPU time (benchmarks/bench_suggester.py);
    the limit holds only while the classifiers are fitted."""
    seen = []

    class Recording(estimator_module.CalibratedClassifierCV):
        def fit(self, *args, **kwargs):
            seen.append({info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"})
            return super().fit(*args, **kwargs)

    monkeypatch.setattr(estimator_module, "CalibratedClassifierCV", Recording)
    before = [info["num_threads"] for info in threadpool_info()]
    X, Y = corpus(10)
    est = fast().fit(X, Y)
    assert len(seen) == len(est.classes_) and all(threads <= {1} for threads in seen)
    assert [info["num_threads"] for info in threadpool_info()] == before


def test_missing_labels_leave_a_unit_out_of_that_code_only():
    X, Y = corpus(10)
    Y = Y.astype(float)
    unknown = Y.copy()
    unknown.loc[Y[PRAISE] == 0, PRAISE] = np.nan  # no decision on praise outside its own units
    with pytest.warns(QDAWarning, match=r"response.praise \(10; only 0 not coded\)"):
        est = fast().fit(X, unknown)
    assert est.classes_.tolist() == [BLAME]
    some = Y.copy()
    some.loc[Y.index[:3], PRAISE] = np.nan  # three units say nothing about praise: the model still learns it
    both = fast().fit(X, some)
    assert both.classes_.tolist() == [BLAME, PRAISE]


def test_semantic_features_without_the_extra_say_how_to_install_it(monkeypatch):
    import sys

    from asymmetry_qda.suggester import semantic

    semantic.load_model.cache_clear()
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed: its import fails
    X, Y = corpus(10)
    try:
        with pytest.raises(ArgumentError, match=r"asymmetry_qda\[semantic\]"):
            fast(semantic=True).fit(X, Y)
    finally:
        semantic.load_model.cache_clear()


@pytest.mark.parametrize("X", [[], pd.DataFrame({"text": []})])
def test_empty_input_is_an_error(X):
    with pytest.raises(ArgumentError, match="no units"):
        fast().fit(X, pd.DataFrame({BLAME: []}))


def test_mismatched_lengths_are_an_error():
    X, Y = corpus(10)
    with pytest.raises(ArgumentError, match="30 units but Y has 29 rows"):
        fast().fit(X, Y.iloc[:29])


@pytest.mark.parametrize("make, match", [
    (lambda X, Y: (X.rename(columns={"text": "sentence"}), Y), "no 'text' column"),
    (lambda X, Y: (X, Y.assign(**{BLAME: 2})), "only 1 .coded., 0 .not coded., -1 .rejected. and missing"),
    (lambda X, Y: (X, Y.astype(float).assign(**{PRAISE: 0.5})), "neither 1, 0, -1 nor missing"),
    (lambda X, Y: (X, Y.to_numpy()), "Y must be a DataFrame"),
    (lambda X, Y: (X, Y.iloc[::-1]), "different order"),
    (lambda X, Y: (X.assign(**{"rule:x": "high"}), Y), "rule:x must hold numbers"),
    (lambda X, Y: ("a single string", Y), "list of texts"),
    (lambda X, Y: ([""] * len(X), Y), "no features"),
])
def test_bad_inputs_are_argument_errors(make, match):
    X, Y = make(*corpus(10))
    with pytest.raises(ArgumentError, match=match):
        fast().fit(X, Y)


def test_rows_are_matched_by_position_when_indexes_differ():
    X, Y = corpus(10)
    X.index = X.index + 1000
    est = fast().fit(X, Y)
    np.testing.assert_array_equal(est.predict_proba(X), fast().fit(X.reset_index(drop=True), Y).predict_proba(X))
