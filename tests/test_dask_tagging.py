"""Tagging on Dask: the same suggestions, ids and tables as the local backend; worker deaths and interruptions."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import warnings

import pytest

from asymmetry_qda import Project
from asymmetry_qda.analysis import load, write_tables
from asymmetry_qda.backends import Dask
from asymmetry_qda.cli import main
from asymmetry_qda.errors import InputError, QDAWarning
from asymmetry_qda.tagging import run

from .conftest import REPO, SAMPLES, requires_model

distributed = pytest.importorskip("distributed")
# the blank pipeline warns that lemma rules fall back to lower case: the same for both backends
pytestmark = pytest.mark.filterwarnings("ignore::asymmetry_qda.errors.QDAWarning")

CODEBOOK = REPO / "codebooks" / "asymmetries.yaml"
COLUMNS = ('coding_id, doc_id, text_sha256, start, "end", code_id, origin, status, coder_id, rule_id, confidence, '
           'context, evidence, segment_id, codebook_hash, pipeline')


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=50) as cluster, \
            distributed.Client(cluster, set_as_default=False) as c:
        yield c


def _sample(path, model="blank"):
    project = Project.create(path)
    project.ingest(SAMPLES / "transcripts", attributes=SAMPLES / "participants.csv", pipeline=model)
    return project


def _rows(project):
    """Every stored coding in insertion order, without the run id and times."""
    return sqlite3.connect(project.path).execute(f"SELECT {COLUMNS} FROM codings ORDER BY rowid").fetchall()


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        return function(*args, **kwargs)


@requires_model
def test_dask_gives_the_same_suggestions_ids_and_tables_on_the_sample(tmp_path, client):
    reports, tables = [], []
    for name, options in [("local", {}), ("dask", {"backend": Dask(client), "batch_turns": 30})]:
        with _sample(tmp_path / f"{name}.qda", model="auto") as project:
            reports.append(project.code(CODEBOOK, pipeline="auto", progress=False, **options))
            rows = _rows(project)
            data = load(project, include_suggestions=True, codebook=CODEBOOK)
            out = tmp_path / f"tables-{name}"
            _quiet(write_tables, data, out, figures=False, allow_identifiers=True)
            tables.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
            if name == "local":
                reference = rows
    assert _rows_equal(reference, rows) and len(rows) == reports[0].added_suggested + reports[0].added_suppressed
    assert [r.summary() for r in reports[:1]] == [reports[1].summary()]
    assert tables[0].keys() == tables[1].keys() and len(tables[0]) > 10
    for name in tables[0]:
        if name != "manifest.json":  # the manifest holds the options, which name the backend nowhere
            assert tables[0][name] == tables[1][name], name
    assert json.loads(tables[0]["manifest.json"]) == json.loads(tables[1]["manifest.json"])


def _rows_equal(a, b) -> bool:
    return list(a) == list(b)


def test_a_worker_dying_mid_run_is_replaced_and_the_result_is_the_same(tmp_path, client, monkeypatch):
    with _sample(tmp_path / "local.qda") as project:
        project.code(CODEBOOK, pipeline="blank", progress=False)
        reference = _rows(project)
    written = []
    real = run._write_suggestions

    def kill_a_worker_after_the_first_batch(*args, **kwargs):
        real(*args, **kwargs)
        written.append(1)
        if len(written) == 1:
            pids = client.run(os.getpid)
            os.kill(sorted(pids.values())[0], signal.SIGKILL)

    monkeypatch.setattr(run, "_write_suggestions", kill_a_worker_after_the_first_batch)
    with _sample(tmp_path / "dask.qda") as project:
        report = project.code(CODEBOOK, pipeline="blank", progress=False, backend=Dask(client),
                              batch_turns=10)
        assert _rows(project) == reference and len(written) > 5
        assert report.turns == 330
    client.wait_for_workers(2, timeout=60)  # the nanny has started a new worker


def test_an_interrupted_run_keeps_whole_batches_and_resumes_without_duplicates(tmp_path, client, monkeypatch):
    with _sample(tmp_path / "local.qda") as project:
        project.code(CODEBOOK, pipeline="blank", progress=False)
        reference = sorted(_rows(project))
    calls = []
    real = run._write_suggestions

    def interrupted_at_the_third_batch(write, grouped, *args, **kwargs):
        calls.append(len(grouped))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(write, grouped, *args, **kwargs)

    monkeypatch.setattr(run, "_write_suggestions", interrupted_at_the_third_batch)
    with _sample(tmp_path / "dask.qda") as project:
        with pytest.raises(KeyboardInterrupt):
            project.code(CODEBOOK, pipeline="blank", progress=False, backend=Dask(client), batch_turns=20)
        kept = _rows(project)
        db = sqlite3.connect(project.path)
        (n_added, finished), = db.execute("SELECT n_added, finished_at FROM runs").fetchall()
        assert finished is None and n_added == len(kept) and 0 < len(kept) < len(reference)
        # the two committed batches hold every suggestion of their documents, and nothing else
        docs = {r[1] for r in kept}
        assert sorted(kept) == sorted(r for r in reference if r[1] in docs)
        monkeypatch.setattr(run, "_write_suggestions", real)
        again = project.code(CODEBOOK, pipeline="blank", progress=False, backend=Dask(client),
                             batch_turns=20)
        assert again.already_coded == len(kept)
        assert sorted(_rows(project)) == reference


def test_options_are_checked(tmp_path):
    with _sample(tmp_path / "p.qda") as project:
        with pytest.raises(InputError, match="backend"):
            project.code(CODEBOOK, pipeline="blank", backend="spark")
        with pytest.raises(InputError, match="options of the dask backend"):
            project.code(CODEBOOK, pipeline="blank", client="tcp://127.0.0.1:1")
        with pytest.raises(InputError, match="batch_turns"):
            project.code(CODEBOOK, pipeline="blank", backend=Dask(), batch_turns=0)
        with pytest.raises(InputError, match="not a distributed.Client"):
            project.code(CODEBOOK, pipeline="blank", backend=Dask(object()))
        assert sqlite3.connect(project.path).execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0


def test_cli_backend_dask(tmp_path, client, capsys):
    path = tmp_path / "p.qda"
    _sample(path).close()
    assert main(["code", str(path), "--pipeline", "blank", "--workers", "2"]) == 2
    assert "--backend dask" in capsys.readouterr().err
    assert main(["code", str(path), "--pipeline", "blank", "--backend", "dask", "--scheduler",
                 client.scheduler.address, "--quiet"]) == 0
    with Project.open(path) as project:
        assert len(project.suggestions()) > 100


def test_the_old_backend_keywords_still_work_with_a_deprecation_warning(tmp_path):
    with _sample(tmp_path / "p.qda") as project:
        with pytest.warns(DeprecationWarning, match=r"backend='dask' is deprecated .* use backend=Dask\("):
            with pytest.raises(InputError, match="batch_turns"):
                project.code(CODEBOOK, pipeline="blank", backend="dask", batch_turns=0)
        with pytest.warns(DeprecationWarning, match=r"n_process=2 is deprecated .* use backend=Local\(n_process=2\)"):
            report = project.code(CODEBOOK, pipeline="blank", n_process=2, progress=False)
        assert report.added_suggested > 0
