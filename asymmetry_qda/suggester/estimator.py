"""A multi-label code suggester that learns from human coding decisions (a scikit-learn estimator).

:class:`CodeSuggester` reads a unit's text (word and character n-grams) and,
when given, the tagger's evidence on the unit (``rule:<code>`` confidences and
``context:<flag>`` markers), and learns one calibrated logistic regression per
code from what humans decided: ``1`` coded, ``0`` not coded, ``-1`` a tagger
suggestion a human *rejected* (a hard negative, weighted more in training), and
missing (``NaN``) where nobody decided about that code on that unit (the unit is
left out of that code's training: a codebook example of one code says nothing
about a code beside it).

With ``threshold="cv"`` each code's decision threshold is the one that maximises
F1 on the held-out folds of its own calibration cross-validation, so it is chosen
on the training data only. With ``semantic=True`` sentence embeddings from
:mod:`asymmetry_qda.suggester.semantic` (the optional ``asymmetry_qda[semantic]``
extra) join the n-grams.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..errors import ArgumentError, QDAWarning
from ..progress import progress_bar

__all__ = ["FEATURE_PREFIXES", "CodeSuggester"]

#: Numeric feature columns of ``X`` that are used besides ``text``.
FEATURE_PREFIXES = ("rule:", "context:")
_CALIBRATIONS = ("sigmoid", "isotonic")


class CodeSuggester(BaseEstimator):
    """Suggest codes for units of text, learned from human decisions.

    Parameters
    ----------
    min_examples
        A code is learned only when at least this many units are positives for
        it (and at least 2 are not); other codes are skipped with one
        :class:`~asymmetry_qda.errors.QDAWarning` naming them. An integer >= 2.
    C
        Inverse regularisation strength of each code's logistic regression (> 0).
    word_ngrams, char_ngrams
        ``(min_n, max_n)`` of the TF-IDF word n-grams and of the character
        n-grams within word boundaries (``char_wb``).
    max_features
        Size limit of each of the two TF-IDF vocabularies (a positive integer, or ``None``).
    hard_negative_weight
        Sample weight (> 0) of a hard negative (``Y == -1``); other units weigh 1.
    calibration
        ``"sigmoid"`` (Platt) or ``"isotonic"``: how the classifiers' scores become probabilities.
    cv
        Folds (>= 2) for calibration; lowered per code to the size of its smaller class.
    threshold
        :meth:`predict` says a code applies when its probability is at least this (0 to 1), or ``"cv"``:
        per code, the threshold with the best F1 over the held-out units of the calibration folds
        (``thresholds_``), ties going to the higher threshold.
    semantic
        Add sentence embeddings (:class:`~asymmetry_qda.suggester.semantic.SentenceEmbedder`) to the
        features; needs ``pip install 'asymmetry_qda[semantic]'``.
    random_state
        Seed of the folds' shuffling; a fixed value makes fitting deterministic.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The codes learned, in the order of ``Y``'s columns (the columns of :meth:`predict_proba`).
    estimators_ : dict[str, CalibratedClassifierCV]
        The fitted classifier of each learned code.
    thresholds_ : dict[str, float]
        The threshold :meth:`predict` uses for each learned code.
    skipped_codes_ : dict[str, int]
        Codes not learned (too few examples), with their number of positives.
    vectorizer_ : sklearn.compose.ColumnTransformer
        The fitted features: word and character TF-IDF of ``text`` and the rule/context columns.
    feature_names_in_ : numpy.ndarray
        The input columns used: ``text``, then the ``rule:``/``context:`` columns seen in fit.
    n_features_in_ : int
        How many input columns are used.
    n_training_units_ : int
        Units the model was fitted on.

    Notes
    -----
    ``X`` is a DataFrame with a ``text`` column and optional numeric
    ``rule:``/``context:`` columns (missing values count as 0; values outside
    0..1 are min-max scaled with the training range and clipped), or a list or
    Series of texts. Other columns are ignored. When predicting, ``X`` must
    hold every ``rule:``/``context:`` column seen in fit (extra ones are
    ignored). ``Y`` is a DataFrame with one column per code, values 1, 0,
    -1 and missing (no decision), matched to ``X`` row by row.

    Examples
    --------
    >>> blame = ["I was blamed for the chase.", "They hauled me in and blamed me.",
    ...          "The IOPC blamed the sergeant.", "Management blamed us for the delay."]
    >>> praise = ["They thanked me for the arrest.", "The chief said well done to the team.",
    ...           "I got a commendation and thanks.", "A thank you letter came from the boss."]
    >>> chat = ["The canteen opens at nine.", "We parked near the station."]
    >>> Y = pd.DataFrame({"response.blame": [1] * 4 + [0] * 6, "response.praise": [0] * 4 + [1] * 4 + [0] * 2})
    >>> model = CodeSuggester(min_examples=2, cv=2).fit(blame + praise + chat, Y)
    >>> model.classes_.tolist()
    ['response.blame', 'response.praise']
    >>> p = model.predict_frame(["The IOPC blamed me.", "They thanked us, well done."])
    >>> bool(p.loc[0, "response.blame"] > p.loc[0, "response.praise"])
    True
    >>> bool(p.loc[1, "response.praise"] > p.loc[1, "response.blame"])
    True
    """

    def __init__(self, *, min_examples=5, C=1.0, word_ngrams=(1, 2), char_ngrams=(3, 5), max_features=20000,
                 hard_negative_weight=3.0, calibration="sigmoid", cv=3, threshold=0.5, semantic=False,
                 random_state=0):
        self.min_examples = min_examples
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.max_features = max_features
        self.hard_negative_weight = hard_negative_weight
        self.calibration = calibration
        self.cv = cv
        self.threshold = threshold
        self.semantic = semantic
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags

    # -- fitting -------------------------------------------------------------
    def fit(self, X, Y, *, progress: bool | None = False):
        """Learn one calibrated classifier per code from ``X`` (units) and ``Y`` (human labels). Returns ``self``.

        ``progress``: show a bar with one step per code fitted (``None``: on a terminal or in Jupyter, see
        :func:`asymmetry_qda.progress.shows_progress`). It changes nothing in the model.

        The classifiers are fitted with one BLAS thread (``threadpoolctl``; the limit is lifted when ``fit``
        returns): their vectors are too short to gain from more threads, which only cost CPU time (most of what
        training took on the bundled sample before; see ``benchmarks/bench_suggester.py``). The model is the same.
        """
        self._validate_params()
        frame = _as_frame(X, "X")
        if len(frame) == 0:
            raise ArgumentError("X has no units to learn from; pass at least a few coded units")
        columns = ["text", *_feature_columns(frame)]
        frame = _clean(frame, columns)
        labels = _as_labels(Y, frame, indexed=isinstance(X, (pd.DataFrame, pd.Series)))

        known = labels.notna()
        positives = (labels == 1).sum(axis=0)
        negatives = known.sum(axis=0) - positives
        trained, short = [], {}
        for code in labels.columns:
            if positives[code] < self.min_examples or negatives[code] < 2:
                short[code] = (int(positives[code]), int(negatives[code]))
            else:
                trained.append(code)
        if not trained:
            raise ArgumentError(
                f"no code has at least {self.min_examples} human examples (and 2 non-examples) to learn from: "
                f"{_describe(short)}; code more units or lower min_examples")

        features = self._make_features(columns[1:])
        try:
            Z = features.fit_transform(frame)
        except ValueError as error:  # TfidfVectorizer: empty vocabulary
            raise ArgumentError(f"the texts of X give no features to learn from ({error}); "
                                "pass units with words in them") from error

        estimators, thresholds, not_converged = {}, {}, []
        bar = progress_bar(len(trained), unit="code", desc="training", progress=progress)
        # One BLAS thread while the classifiers are fitted. lbfgs works on vectors of one weight per feature
        # (tens of thousands), long enough for OpenBLAS to split each dot product over its threads but far too
        # short to gain from it: the threads' start-up and busy-waiting cost more than the sums, and most of the
        # CPU time of training went there (benchmarks/bench_suggester.py). The fitted model is the same.
        with threadpool_limits(limits=1, user_api="blas"):
            for code in trained:
                if bar is not None:
                    bar.set_postfix_str(code, refresh=False)
                rows = np.flatnonzero(known[code].to_numpy())
                estimators[code], thresholds[code], converged = self._fit_code(Z[rows], labels[code].to_numpy()[rows])
                if not converged:
                    not_converged.append(code)
                if bar is not None:
                    bar.update(1)
        if bar is not None:
            bar.close()

        self.vectorizer_ = features
        self.feature_names_in_ = np.asarray(columns, dtype=object)
        self.n_features_in_ = len(columns)
        self.classes_ = np.asarray(trained, dtype=object)
        self.estimators_ = estimators
        self.thresholds_ = thresholds
        self.skipped_codes_ = {code: pos for code, (pos, _) in short.items()}
        self.n_training_units_ = len(frame)
        if short:
            warnings.warn(f"{len(short)} code{'s' if len(short) > 1 else ''} skipped: too few human examples "
                          f"(< {self.min_examples}): {_describe(short)}", QDAWarning, stacklevel=2)
        if not_converged:
            warnings.warn("the logistic regression did not converge for "
                          f"{', '.join(dict.fromkeys(not_converged))}; try a smaller C", QDAWarning, stacklevel=2)
        return self

    def _fit_code(self, Z, values: np.ndarray) -> tuple[CalibratedClassifierCV, float, bool]:
        """One code's calibrated classifier, its threshold and whether every logistic regression converged.

        ``Z``: the features of the units with a decision on the code; ``values``: the decisions (1, 0, -1).
        """
        y = (values == 1).astype(int)
        weight = np.where(values == -1, float(self.hard_negative_weight), 1.0)
        n_minority = int(min(y.sum(), len(y) - y.sum()))
        folds = StratifiedKFold(n_splits=min(self.cv, n_minority), shuffle=True, random_state=self.random_state)
        classifier = CalibratedClassifierCV(
            LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state),
            method=self.calibration, cv=folds)
        converged = True
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            classifier.fit(Z, y, sample_weight=weight)
        for w in caught:
            if issubclass(w.category, ConvergenceWarning):
                converged = False
            else:  # pragma: no cover - nothing else is expected; pass it on unchanged
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        threshold = _held_out_threshold(classifier, folds, Z, y) if self.threshold == "cv" else float(self.threshold)
        return classifier, threshold, converged

    def _validate_params(self) -> None:
        def bad(name: str, allowed: str):
            return ArgumentError(f"{name}={getattr(self, name)!r} is not accepted; {name} must be {allowed}")

        if not _is_int(self.min_examples) or self.min_examples < 2:
            raise bad("min_examples", "an integer >= 2")
        if not _is_real(self.C) or not self.C > 0:
            raise bad("C", "a positive finite number")
        for name in ("word_ngrams", "char_ngrams"):
            value = getattr(self, name)
            if (not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2
                    or not all(_is_int(v) for v in value) or not 1 <= value[0] <= value[1]):
                raise bad(name, "a pair (min_n, max_n) of integers with 1 <= min_n <= max_n")
        if self.max_features is not None and (not _is_int(self.max_features) or self.max_features < 1):
            raise bad("max_features", "a positive integer or None")
        if not _is_real(self.hard_negative_weight) or not self.hard_negative_weight > 0:
            raise bad("hard_negative_weight", "a positive finite number")
        if self.calibration not in _CALIBRATIONS:
            raise bad("calibration", " or ".join(repr(c) for c in _CALIBRATIONS))
        if not _is_int(self.cv) or self.cv < 2:
            raise bad("cv", "an integer >= 2")
        if self.threshold != "cv" and (not _is_real(self.threshold) or not 0 <= self.threshold <= 1):
            raise bad("threshold", 'a number from 0 to 1, or "cv"')
        if not isinstance(self.semantic, (bool, np.bool_)):
            raise bad("semantic", "True or False")
        try:
            check_random_state(self.random_state)
        except ValueError:
            raise bad("random_state", "an integer, None or a numpy RandomState") from None

    def _make_features(self, numeric: list[str]) -> ColumnTransformer:
        parts = [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=tuple(self.word_ngrams), lowercase=True,
                                     sublinear_tf=True, max_features=self.max_features), "text"),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngrams), lowercase=True,
                                     sublinear_tf=True, max_features=self.max_features), "text"),
        ]
        if self.semantic:
            from .semantic import SentenceEmbedder

            parts.append(("semantic", SentenceEmbedder(), "text"))
        if numeric:
            parts.append(("evidence", UnitIntervalScaler(), numeric))
        return ColumnTransformer(parts, remainder="drop", sparse_threshold=1.0)

    # -- predicting ------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probability of each code (columns ``classes_``) for each unit: shape ``(n_units, n_codes)``."""
        check_is_fitted(self)
        frame = self._input(X)
        out = np.zeros((len(frame), len(self.classes_)), dtype=float)
        if len(frame) == 0:
            return out
        Z = self.vectorizer_.transform(frame)
        for j, code in enumerate(self.classes_):
            classifier = self.estimators_[code]
            out[:, j] = classifier.predict_proba(Z)[:, list(classifier.classes_).index(1)]
        return out

    def predict(self, X) -> np.ndarray:
        """1 where a code's probability is at least its threshold (``thresholds_``), else 0: ``(n_units, n_codes)``."""
        probabilities = self.predict_proba(X)  # checks that the model is fitted
        cut = np.array([self.thresholds_[code] for code in self.classes_], dtype=float)
        return (probabilities >= cut).astype(int)

    def predict_frame(self, X) -> pd.DataFrame:
        """:meth:`predict_proba` as a DataFrame: one column per code, indexed like ``X`` (a DataFrame or Series)."""
        probabilities = self.predict_proba(X)
        index = X.index if isinstance(X, (pd.DataFrame, pd.Series)) else None
        return pd.DataFrame(probabilities, columns=list(self.classes_), index=index)

    def decision_uncertainty(self, X) -> np.ndarray:
        """Per unit, the largest ``1 - |2p - 1|`` over codes (1 = the model cannot tell), for uncertainty sampling."""
        probabilities = self.predict_proba(X)
        if probabilities.shape[0] == 0:
            return np.zeros(0)
        return (1 - np.abs(2 * probabilities - 1)).max(axis=1)

    def _input(self, X) -> pd.DataFrame:
        frame = _as_frame(X, "X")
        columns = list(self.feature_names_in_)
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ArgumentError(f"X lacks column{'s' if len(missing) > 1 else ''} {', '.join(missing)} that the "
                                "model was trained with; pass a DataFrame with them (0 where the tagger found nothing)")
        return _clean(frame, columns)


class UnitIntervalScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Numeric columns to 0..1: columns already within 0..1 pass unchanged, others are min-max scaled; then clipped."""

    def fit(self, X, y=None):
        values = np.asarray(X, dtype=float)
        self.n_features_in_ = values.shape[1]
        low, high = values.min(axis=0), values.max(axis=0)
        inside = (low >= 0) & (high <= 1)
        span = np.where(high > low, high - low, 1.0)
        self.offset_ = np.where(inside, 0.0, low)
        self.scale_ = np.where(inside, 1.0, span)
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        check_is_fitted(self)
        values = np.asarray(X, dtype=float)
        return np.clip((values - self.offset_) / self.scale_, 0.0, 1.0)


# -- input checks ------------------------------------------------------------------
def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and bool(np.isfinite(value))


def _as_frame(X, name: str) -> pd.DataFrame:
    """``X`` as a DataFrame with a ``text`` column (a list, array or Series of texts becomes one)."""
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise ArgumentError(f"{name} has no 'text' column; pass a DataFrame with the units' texts in 'text' "
                                "or a list of texts")
        return X
    if isinstance(X, pd.Series):
        return pd.DataFrame({"text": X.to_numpy(dtype=object)}, index=X.index)
    if isinstance(X, str) or not isinstance(X, (Sequence, np.ndarray)):
        raise ArgumentError(f"{name} must be a DataFrame with a 'text' column or a list of texts, "
                            f"not {type(X).__name__}")
    values = np.asarray(X, dtype=object)
    if values.ndim != 1:
        raise ArgumentError(f"{name} must be a one-dimensional list of texts (or a DataFrame with a 'text' column)")
    return pd.DataFrame({"text": values})


def _held_out_threshold(classifier: CalibratedClassifierCV, folds: StratifiedKFold, Z, y: np.ndarray) -> float:
    """The threshold with the best F1 on the held-out units of ``classifier``'s calibration folds.

    Fold ``i``'s calibrated classifier never saw its held-out units when its logistic regression was fitted, so
    its probabilities there are out-of-fold; F1 is taken over every fold's held-out units pooled (see
    :func:`_best_f1_threshold`).
    """
    scores = np.zeros(len(y), dtype=float)
    for fold, (_, held_out) in zip(classifier.calibrated_classifiers_, folds.split(np.zeros(len(y)), y), strict=True):
        scores[held_out] = fold.predict_proba(Z[held_out])[:, list(classifier.classes_).index(1)]
    return _best_f1_threshold(scores, y)


def _best_f1_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The cut, among the values of ``scores``, at which ``scores >= cut`` has the best F1 against ``y`` (0/1).

    Ties go to the higher cut (fewer suggestions to review); with no positive in ``y``, 0.5. Every cut is
    scored at once from the sorted scores (``O(n log n)``), with the same F1 as counting each cut's units.
    """
    scores, y = np.asarray(scores, dtype=float), np.asarray(y)
    positives = int((y == 1).sum())
    if positives == 0:
        return 0.5
    cuts = np.unique(scores)[::-1]  # highest first, so argmax's first maximum is the highest cut
    chosen = len(scores) - np.searchsorted(np.sort(scores), cuts, side="left")  # units with a score >= cut
    tp = positives - np.searchsorted(np.sort(scores[y == 1]), cuts, side="left")
    f1 = 2 * tp / (chosen + positives)
    best = int(np.argmax(f1))
    return float(cuts[best]) if f1[best] > 0 else 0.5


def _feature_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if isinstance(c, str) and c.startswith(FEATURE_PREFIXES)]


def _clean(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Only ``columns``, in order: texts as str (missing as ""), features as finite floats (missing as 0)."""
    duplicated = [c for c in columns if (frame.columns == c).sum() > 1]
    if duplicated:
        raise ArgumentError(f"X has duplicate columns: {', '.join(duplicated)}")
    texts = []
    for position, value in enumerate(frame["text"].to_numpy(dtype=object)):
        if isinstance(value, str):
            texts.append(value)
        elif value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            texts.append("")
        else:
            raise ArgumentError(f"X's text at row {position} is {type(value).__name__} {value!r}, not a string")
    out = pd.DataFrame({"text": pd.Series(texts, index=frame.index, dtype=object)})
    for column in columns[1:]:
        try:
            values = pd.to_numeric(frame[column], errors="raise").to_numpy(dtype=float, na_value=np.nan)
        except (ValueError, TypeError):
            raise ArgumentError(f"X's column {column} must hold numbers (a rule confidence or a 0/1 flag)") from None
        if np.isinf(values).any():
            raise ArgumentError(f"X's column {column} holds infinite values")
        out[column] = np.nan_to_num(values, nan=0.0)
    return out


def _as_labels(Y, frame: pd.DataFrame, *, indexed: bool) -> pd.DataFrame:
    """``Y`` checked: a float DataFrame of 1/0/-1/NaN with one row per unit of ``frame`` and unique code columns."""
    if isinstance(Y, pd.Series) and Y.name is not None:
        Y = Y.to_frame()
    if not isinstance(Y, pd.DataFrame):
        raise ArgumentError(f"Y must be a DataFrame with one column per code (values 1, 0, -1), "
                            f"not {type(Y).__name__}")
    if Y.shape[1] == 0:
        raise ArgumentError("Y has no code columns; pass one column per code")
    if len(Y) != len(frame):
        raise ArgumentError(f"X has {len(frame)} units but Y has {len(Y)} rows; they must match row by row")
    if (indexed and not frame.index.equals(Y.index) and frame.index.is_unique
            and Y.index.is_unique and set(frame.index) == set(Y.index)):
        raise ArgumentError("Y holds the same index labels as X in a different order; rows are matched by position, "
                            "so align them first (Y.loc[X.index])")
    duplicated = sorted({str(c) for c in Y.columns[Y.columns.duplicated()]})
    if duplicated:
        raise ArgumentError(f"Y has duplicate code columns: {', '.join(duplicated)}")
    problems, columns = [], {}
    for code in Y.columns:
        try:
            values = Y[code].to_numpy(dtype=float, na_value=np.nan)
        except (ValueError, TypeError):
            problems.append(f"{code} (not numbers)")
            continue
        wrong = ~(np.isin(values, [-1.0, 0.0, 1.0]) | np.isnan(values))
        if wrong.any():
            problems.append(f"{code} ({int(wrong.sum())} values neither 1, 0, -1 nor missing, "
                            f"e.g. row {int(np.argmax(wrong))})")
            continue
        columns[str(code)] = values
    if problems:
        raise ArgumentError(f"Y must hold only 1 (coded), 0 (not coded), -1 (rejected) and missing (no decision): "
                            f"{'; '.join(problems)}")
    return pd.DataFrame(columns, index=frame.index)


def _describe(short: dict[str, tuple[int, int]]) -> str:
    parts = []
    for code, (pos, neg) in short.items():
        parts.append(f"{code} ({pos})" if neg >= 2 else f"{code} ({pos}; only {neg} not coded)")
    return ", ".join(parts)
