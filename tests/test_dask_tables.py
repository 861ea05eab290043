"""The Dask backend of the co-occurrence and frequency tables gives the local tables, bit for bit.

Every comparison runs the local backend and the dask backend on the same frames and asks for
``assert_frame_equal(check_exact=True)`` (rows, order, dtypes, values) and for the same QDAWarnings, in the
same order, raised in this process (the client). Frames: the bundled sample project, and seeded synthetic
corpora with fieldnotes without a participant, uncoded documents, multi-sentence codings, lopsided codes (so
``c_caution`` warns), group columns of several dtypes (nullable, bool, int, text with gaps), and variants
with coded units missing from the units frame or participants without attributes (where a group column of
the rows widens, e.g. int to float, for the whole table).
"""

from __future__ import annotations

import re
import time
import warnings

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from asymmetry_qda import Project  # noqa: E402
from asymmetry_qda.analysis import code_frequencies, cooccurrence, load  # noqa: E402
from asymmetry_qda.analysis._cooccurrence import UNITS  # noqa: E402
from asymmetry_qda.analysis._partitions import _blocks  # noqa: E402
from asymmetry_qda.backends import Dask, Local  # noqa: E402
from asymmetry_qda.errors import ArgumentError, InputError, QDAWarning  # noqa: E402

from .conftest import SAMPLES  # noqa: E402

CODES = ["agency.blame", "agency.luck", "agency.self", "response.praise", "response.praise.near_miss",
         "response.learning", "support.peer", "support.rare"]
#: Lopsided: agency.blame is frequent, support.rare rare, so some co-occurring pairs get c_caution.
WEIGHTS = np.array([30, 8, 10, 12, 6, 9, 5, 1], float)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0")
    dask = distributed.Client(cluster)
    yield dask
    dask.close()
    cluster.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    with Project.create(tmp_path_factory.mktemp("dask_tables") / "sample.qda") as project:
        project.ingest(SAMPLES / "transcripts", attributes=SAMPLES / "participants.csv", pipeline="blank")
        project.import_codings(SAMPLES / "codings")
        return load(project)


def _qda_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, QDAWarning)]


def same(function, codings, *, client, npartitions=None, warns: str | None = None, **options) -> pd.DataFrame:
    """The local table; the dask table must equal it exactly and warn the same, here on the client.

    ``warns``: a pattern one of the (identical) QDAWarnings must match.
    """
    with warnings.catch_warnings(record=True) as local_caught:
        warnings.simplefilter("always")
        local = function(codings, **options)
    with warnings.catch_warnings(record=True) as dask_caught:
        warnings.simplefilter("always")
        on_dask = function(codings, backend=Dask(client), npartitions=npartitions, **options)
    pd.testing.assert_frame_equal(local, on_dask, check_exact=True)
    assert _qda_warnings(dask_caught) == _qda_warnings(local_caught)
    if warns is not None:
        assert any(re.search(warns, message) for message in _qda_warnings(local_caught)), _qda_warnings(local_caught)
    return local


# ---------------------------------------------------------------------------------------------- synthetic corpora


def synthetic(seed: int, n_docs: int = 36) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded codings and units frames shaped like :func:`asymmetry_qda.analysis.load`'s.

    Documents D000.. belong to participants P00.. (three each); every seventh is a fieldnote without a
    participant; every eleventh is uncoded. ``grade`` (int64) and ``leader`` (bool) are per participant,
    ``rank_band`` is text with gaps, ``leader_n`` is a nullable boolean.
    """
    rng = np.random.default_rng(seed)
    units, codings = [], []
    for d in range(n_docs):
        doc = f"D{d:03d}"
        participant = None if d % 7 == 6 else f"P{d // 3:02d}"
        grade = d // 3 % 4
        described = {"kind": "fieldnote" if participant is None else "interview", "participant_id": participant,
                     "grade": grade, "leader": grade >= 2, "rank_band": [None, "junior", "senior"][grade % 3],
                     "leader_n": None if participant is None else grade >= 2}
        n_sentences = int(rng.integers(1, 25))
        turn_of, turn, left = [], 0, int(rng.integers(1, 5))
        for _ in range(n_sentences):
            turn_of.append(turn)
            left -= 1
            if left == 0:
                turn, left = turn + 1, int(rng.integers(1, 5))
        for s in range(n_sentences):
            units.append({"doc_id": doc, "unit": "sentence", "ordinal": s, "start": 100 * s, "end": 100 * s + 90,
                          "speaker": participant or "FN", "is_interviewer": False, **described})
        for t in sorted(set(turn_of)):
            first, last = turn_of.index(t), len(turn_of) - 1 - turn_of[::-1].index(t)
            units.append({"doc_id": doc, "unit": "turn", "ordinal": t, "start": 100 * first, "end": 100 * last + 90,
                          "speaker": participant or "FN", "is_interviewer": False, **described})
        if d % 11 == 10:
            continue
        for _ in range(int(rng.poisson(1.2 * n_sentences)) + 1):
            s = int(rng.integers(0, n_sentences))
            e = min(s + int(rng.integers(0, 3)), n_sentences - 1)
            codings.append({"coding_id": f"c{seed}-{len(codings)}", "doc_id": doc,
                            "code_id": str(rng.choice(CODES, p=WEIGHTS / WEIGHTS.sum())),
                            "status": "suggested" if rng.random() < 0.05 else "confirmed",
                            "start": 100 * s + int(rng.integers(0, 60)), "end": 100 * e + int(rng.integers(30, 90)),
                            "sentence": s, "sentence_last": e, "turn": turn_of[s], "turn_last": turn_of[e],
                            "speaker": participant or "FN", **described})
    codings = pd.DataFrame(codings).sample(frac=1.0, random_state=seed).sort_values(["doc_id", "start"],
                                                                                    kind="stable")
    units = pd.DataFrame(units)
    for frame in (codings, units):
        frame["leader_n"] = frame["leader_n"].astype("boolean")
    return codings.reset_index(drop=True), units


def with_missing_units(codings: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The units frame without some coded sentences and turns, and without one coded document at all."""
    coded = codings.drop_duplicates("doc_id")
    gone_doc = coded["doc_id"].iloc[2]
    some = coded.iloc[5]
    drop = (units["doc_id"] == gone_doc) | ((units["doc_id"] == some["doc_id"])
                                            & (units["ordinal"] == some["sentence"]))
    return units[~drop].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- the sample


@pytest.mark.parametrize("unit", UNITS)
def test_cooccurrence_on_the_sample_is_identical_at_every_unit(sample, client, unit):
    table = same(cooccurrence, sample.codings, client=client, unit=unit, units=sample.units, window=2)
    assert len(table) and table["n_ab"].sum() > 0
    by_leader = same(cooccurrence, sample.codings, client=client, npartitions=4, unit=unit, units=sample.units,
                     window=2, by="leader")
    assert set(by_leader["leader"]) >= {"True", "False"}


def test_cooccurrence_on_the_sample_by_two_columns(sample, client):
    table = same(cooccurrence, sample.codings, client=client, npartitions=3, units=sample.units,
                 by=["kind", "rank_band"], measure="jaccard")
    assert "(missing)" in set(table["rank_band"])


def test_frequencies_on_the_sample_are_identical(sample, client):
    codings, units = sample.codings, sample.units
    same(code_frequencies, codings, client=client, units=units)
    same(code_frequencies, codings, client=client, npartitions=4, units=units, by="leader")
    same(code_frequencies, codings, client=client, npartitions=5, units=units, roll_up=True, by="kind")
    same(code_frequencies, codings, client=client, npartitions=3)  # units=None: coded units only
    same(code_frequencies, codings, client=client, npartitions=4, units=units, unit="participant", by="rank_band")


# ---------------------------------------------------------------------------------------------- synthetic corpora


@pytest.mark.parametrize(("unit", "npartitions"), list(zip(UNITS, [3, 4, 5, 6, 7, 3], strict=True)))
def test_cooccurrence_on_a_synthetic_corpus_is_identical(client, unit, npartitions):
    codings, units = synthetic(seed=npartitions)
    table = same(cooccurrence, codings, client=client, npartitions=npartitions, unit=unit, units=units, window=2,
                 warns="Jaccard/c coefficient is misleading" if unit not in ("document", "participant") else None)
    assert set(table["status"]) == {"confirmed+suggested"}
    for by in ("grade", ["leader", "rank_band"]):
        same(cooccurrence, codings, client=client, npartitions=npartitions, unit=unit, units=units, window=2, by=by)


def test_c_caution_warns_once_from_the_client_as_locally(client):
    codings, units = synthetic(seed=11)
    with pytest.warns(QDAWarning, match="Jaccard/c coefficient is misleading") as caught:
        cooccurrence(codings, unit="document", units=units, backend=Dask(client), npartitions=4)
    assert len(_qda_warnings(caught)) == 1


@pytest.mark.parametrize("unit", ["sentence", "turn", "window"])
def test_units_missing_from_units_widen_every_partitions_groups_as_locally(client, unit):
    codings, units = synthetic(seed=21)
    thinned = with_missing_units(codings, units)
    # Once a unit is missing anywhere, grade (int64) of the listed units reads 1.0 (and leader, bool, becomes
    # object) in every partition; the rows of the document missing altogether read its attribute, 1.
    table = same(cooccurrence, codings, client=client, npartitions=6, unit=unit, units=thinned, by="grade",
                 warns=r"^\d+ coded (sentence|turn) unit\(s\) are missing from units=")
    assert {"0.0", "1.0", "2.0", "3.0"} <= set(table["grade"])
    same(cooccurrence, codings, client=client, npartitions=5, unit=unit, units=thinned, by=["leader", "leader_n"])
    same(cooccurrence, codings, client=client, npartitions=4, unit=unit, units=thinned)


def test_participants_without_attributes_widen_the_groups_as_locally(client):
    codings, units = synthetic(seed=31)
    codings.loc[codings["doc_id"] == codings["doc_id"].iloc[0], "participant_id"] = "P99"  # not in units
    table = same(cooccurrence, codings, client=client, npartitions=5, unit="participant", units=units, by="grade")
    assert "(missing)" in set(table["grade"]) and "1.0" in set(table["grade"])
    same(code_frequencies, codings, client=client, npartitions=5, units=units, unit="participant", by="grade")


def test_empty_partitions_and_empty_groups(client):
    codings, units = synthetic(seed=41, n_docs=3)  # three documents, seven partitions
    for unit in ("sentence", "overlap", "participant"):
        same(cooccurrence, codings, client=client, npartitions=7, unit=unit, units=units, by="rank_band")
    same(code_frequencies, codings, client=client, npartitions=7, units=units, by="leader")
    # one document holds most rows: partitions 1.. of its side are empty
    big, big_units = synthetic(seed=42, n_docs=14)
    big = pd.concat([big] + [big[big["doc_id"] == "D000"].assign(coding_id=lambda f, k=k: f["coding_id"] + f"x{k}")
                             for k in range(30)], ignore_index=True)
    same(cooccurrence, big, client=client, npartitions=6, units=big_units, by="grade")
    # no coding at all: every partition empty, and groups that exist only as uncoded units
    none = big.iloc[:0]
    same(cooccurrence, none, client=client, npartitions=3, units=big_units, by="grade")
    same(code_frequencies, none, client=client, npartitions=3, units=big_units, by="grade", codes=CODES[:2])


def test_frequencies_on_a_synthetic_corpus_are_identical(client):
    codings, units = synthetic(seed=51)
    codings.loc[codings.index[:40:3], "participant_id"] = None  # some codings without a participant
    table = same(code_frequencies, codings, client=client, npartitions=3, units=units)
    assert table["n_units"].sum() > 0
    same(code_frequencies, codings, client=client, npartitions=4, units=units, by="grade")
    same(code_frequencies, codings, client=client, npartitions=5, units=units, by=["leader", "rank_band"],
         roll_up=True)
    same(code_frequencies, codings, client=client, npartitions=6, by="leader_n")  # units=None
    same(code_frequencies, codings, client=client, npartitions=7, units=units, unit="turn", roll_up=True)
    same(code_frequencies, codings, client=client, npartitions=7, units=units, unit="document", by="kind")
    same(code_frequencies, codings, client=client, npartitions=4, units=units, unit="participant", codes=CODES[::-1])


def test_one_partition(client):
    codings, units = synthetic(seed=61)
    same(cooccurrence, codings, client=client, npartitions=1, unit="window", units=units, by="grade")
    same(code_frequencies, codings, client=client, npartitions=1, units=units, by="grade")


def test_participant_unit_leaves_out_codings_without_a_participant_with_the_same_warning(client):
    codings, units = synthetic(seed=71)
    same(cooccurrence, codings, client=client, npartitions=3, unit="participant", units=units, by="leader",
         warns=r"^\d+ coding\(s\) have no participant_id|co-occurrence by participant: \d+ coding")


# ---------------------------------------------------------------------------------------------- options and errors


def test_blocks_keep_documents_and_participants_whole():
    codings = pd.DataFrame({"doc_id": ["D1", "D2", "D3", "D4", None], "participant_id": ["P1", "P1", None, "P2", None]})
    units = pd.DataFrame({"doc_id": ["D3", "D4", "D5", "D5"], "participant_id": [None, "P2", "P2", None]})
    (c, u), n_blocks = _blocks([codings, units], ["doc_id", "participant_id"])
    assert c[0] == c[1] and c[3] == u[1] == u[2] == u[3]  # D1, D2 through P1; D4, D5 through P2
    assert c[2] == u[0] and len({c[0], c[2], c[3], c[4]}) == 4 and c[4] == n_blocks - 1  # no key: last block
    (docs,), _ = _blocks([codings], ["doc_id"])
    assert docs.tolist() == [0, 1, 2, 3, 4]  # sorted doc ids, missing last


def test_options_are_checked():
    codings, units = synthetic(seed=81, n_docs=4)
    for function in (cooccurrence, code_frequencies):
        with pytest.raises(InputError, match="'spark' is not one of local, dask"):
            function(codings, units=units, backend="spark")
        for bad in (0, -2, 1.5, True):
            with pytest.raises(InputError, match="npartitions.*whole number"):
                function(codings, units=units, backend=Dask(), npartitions=bad)
        with pytest.raises(InputError, match="options of the dask backend"):
            function(codings, units=units, npartitions=2)
        with pytest.raises(InputError, match="npartitions go with the Dask backend"):
            function(codings, units=units, backend=Local(), npartitions=2)
        with pytest.raises(InputError, match="client cannot be given beside backend=Dask"):
            function(codings, units=units, backend=Dask(), client="tcp://127.0.0.1:1")


def test_the_old_string_backend_still_works_with_a_deprecation_warning(client):
    codings, units = synthetic(seed=83, n_docs=4)
    with pytest.warns(DeprecationWarning, match=r"backend='dask', client=.* is deprecated .* use backend=Dask\("):
        old = code_frequencies(codings, units=units, backend="dask", client=client)
    pd.testing.assert_frame_equal(old, code_frequencies(codings, units=units, backend=Dask(client)), check_exact=True)


@pytest.mark.parametrize(("function", "options"), [
    (cooccurrence, {"by": "nope"}), (cooccurrence, {"by": "speaker", "unit": "document"}),
    (cooccurrence, {"by": "speaker", "unit": "window"}), (code_frequencies, {"by": "nope"}),
])
def test_a_bad_by_gives_the_local_error_before_any_work(client, function, options):
    codings, units = synthetic(seed=91, n_docs=5)
    with pytest.raises(ArgumentError) as local:
        function(codings, units=units, **options)
    with pytest.raises(ArgumentError) as on_dask:
        function(codings, units=units, backend=Dask(client), **options)
    assert str(on_dask.value) == str(local.value)


def test_without_a_client_a_local_cluster_is_started_and_closed(monkeypatch):
    started = []

    class Recorded(distributed.LocalCluster):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    codings, units = synthetic(seed=101, n_docs=6)
    begun = time.perf_counter()
    table = code_frequencies(codings, units=units, by="grade", backend=Dask())
    assert time.perf_counter() - begun < 60
    pd.testing.assert_frame_equal(table, code_frequencies(codings, units=units, by="grade"), check_exact=True)
    assert len(started) == 1 and started[0].status.name == "closed"
