"""The code suggester inside a project: training on human decisions, storing, suggesting, discarding,
ordering the review queue by uncertainty, and grouped cross-validation."""

from __future__ import annotations

import random

import numpy as np
import pytest

from asymmetry_qda import NotFoundError
from asymmetry_qda.analysis import load
from asymmetry_qda.errors import ArgumentError, QDAWarning
from asymmetry_qda.suggester import service
from asymmetry_qda.suggester.evaluation import _folds, cross_validate
from asymmetry_qda.suggester.training import sentence_features, training_set

BLAME = ["They hauled me in front of professional standards over it.", "The IOPC wanted my head for that one.",
         "I got the blame for the whole shift going wrong.", "Everyone pointed the finger at me afterwards.",
         "My name was on the complaint, so I carried the can.", "The chief blamed me in the morning meeting."]
PRAISE = ["The superintendent sent a lovely thank-you note.", "We got a commendation for the search.",
          "Someone actually said well done to the team.", "The family wrote in to thank the officers.",
          "I was praised at the awards evening.", "The boss rang just to say thank you."]
OTHER = ["The canteen shut at six.", "We moved stations in the spring.", "Parking is a nightmare there.",
         "I started on response years ago.", "The radio system was upgraded.", "My shift pattern is four on."]


def interview(seed: int, participant: str) -> tuple[str, list[tuple[str, str]]]:
    rng = random.Random(seed)
    picked = [(s, "response.blame") for s in rng.sample(BLAME, 4)] + \
             [(s, "response.praise") for s in rng.sample(PRAISE, 4)] + [(s, "") for s in rng.sample(OTHER, 5)]
    rng.shuffle(picked)
    text = "Interviewer: Tell me about the job.\n\n" + "".join(f"{participant}: {s}\n\n" for s, _ in picked)
    return text, picked


@pytest.fixture
def coded(project, write):
    paths = []
    for n in range(1, 5):
        text, _ = interview(n, f"P0{n}")
        paths.append(write(f"INT0{n}.txt", text))
    project.ingest(paths, pipeline="blank")
    for n in range(1, 5):
        _, picked = interview(n, f"P0{n}")
        text = project.text(f"INT0{n}")
        for sentence, code in picked:
            if code:
                start = text.index(sentence)
                project.code_span(f"INT0{n}", start, start + len(sentence), code, coder="LT")
    return project


PARAMS = {"min_examples": 3, "cv": 2}


def test_train_stores_a_version_and_training_again_on_the_same_decisions_stores_nothing(coded):
    first = coded.train_suggester(coders=["LT"], **PARAMS)
    assert set(first.codes) == {"response.blame", "response.praise"} and first.n_units == 52
    again = coded.train_suggester(coders=["LT"], **PARAMS)
    assert again.version == first.version and again.already_stored
    assert coded.models()["model_id"].tolist() == [first.version]


def test_an_empty_training_set_is_a_clear_error(project, write):
    project.ingest(write("INT01.txt", "P01: Nothing coded here.\n"), pipeline="blank")
    with pytest.raises(ArgumentError):
        project.train_suggester()
    with pytest.raises(NotFoundError, match="no trained model"):
        project.suggest()


def test_suggest_stores_model_rows_once_and_a_refit_reproduces_the_same_probabilities(coded, write):
    version = coded.train_suggester(coders=["LT"], **PARAMS).version
    text = "P05: Professional standards blamed me for the shift going wrong. The canteen shut early.\n"
    coded.ingest(write("INT05.txt", text), pipeline="blank")
    added = coded.suggest()
    rows = coded.codings()
    model_rows = rows[rows["origin"] == "model"]
    assert len(model_rows) == len(added) >= 1
    blame = model_rows[(model_rows["doc_id"] == "INT05") & (model_rows["code_id"] == "response.blame")]
    assert len(blame) == 1 and blame["status"].iloc[0] == "suggested"
    assert blame["text"].iloc[0].startswith("Professional standards blamed me")
    assert blame["pipeline"].iloc[0] == f"CodeSuggester {version[:12]}" and 0.5 <= blame["confidence"].iloc[0] <= 1
    assert coded.suggest().empty  # nothing new the second time
    estimator, record = service.fitted_model(coded)
    features = sentence_features(load(coded))
    before = estimator.predict_proba(service.model_input(features, __import__("json").loads(
        record["training"])["columns"]))
    service._FITTED.clear()  # as in a new session: refit from the stored training set
    estimator, _ = service.fitted_model(coded, version[:10])
    after = estimator.predict_proba(service.model_input(features, __import__("json").loads(
        record["training"])["columns"]))
    np.testing.assert_array_equal(before, after)


def test_rejections_become_hard_negatives_and_model_suggestions_never_train_the_model(coded, write):
    coded.train_suggester(coders=["LT"], **PARAMS)
    coded.ingest(write("INT05.txt", "P05: The chief blamed me for the shift going wrong.\n"), pipeline="blank")
    suggestion = coded.suggest()["coding_id"].iloc[0]
    data = load(coded, statuses=("confirmed", "suggested", "rejected"))
    X, _ = training_set(data, sentence_features(data))
    assert "INT05" not in set(X["doc_id"])  # an undecided model suggestion teaches nothing
    coded.reject([suggestion], coder="LT", memo="not blame: a report of someone else's view")
    data = load(coded, statuses=("confirmed", "suggested", "rejected"))
    X, Y = training_set(data, sentence_features(data))
    row = X.index[X["doc_id"] == "INT05"][0]
    assert Y.loc[row, "response.blame"] == -1


def test_discarding_a_model_withdraws_its_undecided_suggestions_and_keeps_decisions(coded, write):
    version = coded.train_suggester(coders=["LT"], **PARAMS).version
    coded.ingest(write("INT05.txt", "P05: The chief blamed me for the shift going wrong. I was praised at the "
                                    "awards evening.\n"), pipeline="blank")
    ids = coded.suggest()["coding_id"].tolist()
    assert len(ids) == 2
    coded.accept([ids[0]], coder="LT")
    assert coded.discard_model(version, coder="LT") == 1
    current = coded.codings()
    model_rows = current[current["origin"] == "model"]
    assert sorted(model_rows["status"]) == ["confirmed", "withdrawn"]
    with pytest.raises(NotFoundError, match="no trained model"):
        coded.suggest()


def test_discarding_a_model_is_one_transaction(coded, write, monkeypatch):
    version = coded.train_suggester(coders=["LT"], **PARAMS).version
    coded.ingest(write("INT05.txt", "P05: The chief blamed me for the shift going wrong.\n"), pipeline="blank")
    assert len(coded.suggest()) >= 1

    def fails(*args, **kwargs):
        raise RuntimeError("interrupted while withdrawing the suggestions")

    monkeypatch.setattr(service, "decide", fails)
    with pytest.raises(RuntimeError):
        coded.discard_model(version, coder="LT")
    assert coded.models()["discarded_at"].isna().all()  # the model was not discarded half-way
    monkeypatch.undo()
    assert coded.discard_model(version, coder="LT") >= 1


def test_the_fitted_suggesters_kept_in_memory_are_bounded():
    fitted = service._Fitted(maxsize=2)
    for n in range(5):
        fitted.put(("p.qda", str(n)), object())
    assert len(fitted) == 2 and fitted.get(("p.qda", "0")) is None and fitted.get(("p.qda", "4")) is not None


def test_review_queue_by_uncertainty_puts_the_least_certain_first_and_takes_participants_in_turn(coded, write):
    coded.train_suggester(coders=["LT"], **PARAMS)
    coded.ingest([write("INT05.txt", "P05: I got the blame. The canteen shut. Someone said well done.\n"),
                  write("INT06.txt", "P06: They hauled me in. A commendation came. We moved stations.\n")],
                 pipeline="blank")
    coded.suggest(threshold=0.0)  # every (sentence, code) of the new documents, for ordering
    queue = coded.review_queue(coder="LT", strategy="uncertainty")
    items = queue.items
    assert len(items) > 4 and items["uncertainty"].between(0, 1).all()
    first_two = items.head(2)
    assert set(first_two["diversity_group"]) == {"P05", "P06"}  # diversity across participants (speakers here)
    for _, part in items.groupby("diversity_group"):
        assert part["uncertainty"].is_monotonic_decreasing  # within a participant, most uncertain first
    with pytest.raises(Exception, match="not a review order"):
        coded.review_queue(coder="LT", strategy="random")
    likely = coded.review_queue(coder="LT", strategy="likely").items
    assert len(likely) == len(items) and likely["model_probability"].is_monotonic_decreasing
    top = likely.iloc[0]
    assert top["code_id"] == "response.blame" or top["code_id"] == "response.praise"


def test_cross_validation_never_scores_a_participant_it_learned_from(coded):
    data = load(coded, statuses=("confirmed", "suggested", "rejected", "suppressed"))
    X, _ = training_set(data, sentence_features(data))
    groups = X["participant_id"].fillna(X["doc_id"]).to_numpy()  # no attributes table: one group per document
    for train, test in _folds(groups, None):
        assert not set(groups[train]) & set(groups[test])
    scores, curve = cross_validate(data, reference="LT", fractions=(0.25, 1.0), **PARAMS)
    micro = scores[scores["code_id"] == "(micro)"].set_index("candidate")
    assert micro.loc["model", "support"] == 32 and micro.loc["model", "f1"] > 0.8  # templates are learnable
    assert micro.loc["rules", "tp"] == 0  # no tagger run here
    assert curve["training_units"].tolist() == sorted(curve["training_units"].tolist())
    with pytest.raises(ArgumentError, match="no confirmed codings"):
        cross_validate(data, reference="ZZ")


def test_seed_data_from_the_codebook_joins_the_training_set_and_the_stored_version(coded, tmp_path):
    from asymmetry_qda.codebook import load_codebook
    from asymmetry_qda.suggester.seeds import codebook_seed

    from .conftest import REPO

    study = REPO / "codebooks" / "asymmetries.yaml"
    plain = coded.train_suggester(coders=["LT"], **PARAMS)
    with pytest.warns(QDAWarning, match="skipped: too few human examples"):  # parent codes with 1-2 examples
        seeded = coded.train_suggester(coders=["LT"], seed=study, seed_pipeline="blank", threshold="cv", **PARAMS)
    seed_X, _ = codebook_seed(load_codebook(study), evidence=False)
    assert seeded.n_units == plain.n_units + len(seed_X)
    assert seeded.version != plain.version
    assert {"response.blame", "response.praise", "agency.control"} <= set(seeded.codes)  # a seed-only code
    service._FITTED.clear()  # refit from the stored training set (NaN labels included) gives the same model
    model, record = service.fitted_model(coded, seeded.version)
    assert set(model.classes_) == set(seeded.codes) and model.threshold == "cv"
    added = coded.suggest(version=seeded.version)
    assert set(added["code_id"]) <= set(seeded.codes)
