"""Our .qdpx read by other people's REFI-QDA programs, run as their users run them.

- pyqdpx (PyPI, Python >= 3.12) in its own environment: ``tests/refi_readers/pyqdpx_dump.py``.
- QualCoder's own importer (``RefiImport``) and exporter (``RefiExport``), headless, from a pinned copy of
  its source that stays outside this repository (``../shared/refi-qda/clients/qualcoder-c3204641``), in an
  environment with PyQt6: ``../shared/refi-qda/clients/qc_import.py`` and
  ``tests/refi_readers/qualcoder_export.py``.

``make test`` builds the two environments (``.venv-pyqdpx``, ``.venv-qualcoder``) from the package
registries; ``ASYMMETRY_QDA_PYQDPX_PYTHON``, ``ASYMMETRY_QDA_QUALCODER_PYTHON`` and ``QUALCODER_SRC``
point elsewhere. Where one cannot be had, its tests skip and say why.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import warnings
from functools import cache
from pathlib import Path

import pytest

from asymmetry_qda import Project, QDAWarning

from .conftest import REPO, SAMPLES

HERE = Path(__file__).parent / "refi_readers"
CLIENTS = REPO.parent / "shared" / "refi-qda" / "clients"
if not CLIENTS.exists():
    CLIENTS = Path("/work/shared/refi-qda/clients")
PYQDPX_PYTHON = Path(os.environ.get("ASYMMETRY_QDA_PYQDPX_PYTHON", REPO / ".venv-pyqdpx" / "bin" / "python"))
QUALCODER_PYTHON = Path(os.environ.get("ASYMMETRY_QDA_QUALCODER_PYTHON",
                                       REPO / ".venv-qualcoder" / "bin" / "python"))
QUALCODER_SRC = Path(os.environ.get("QUALCODER_SRC", CLIENTS / "qualcoder-c3204641" / "src"))


@cache
def _missing(python: Path, module: str) -> str | None:
    """Why ``python`` cannot import ``module``, or ``None`` when it can."""
    if not python.exists():
        return f"{python} does not exist (make test builds it from the package registries)"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(QUALCODER_SRC)}
    done = subprocess.run([str(python), "-c", f"import builtins; builtins._ = str; import {module}"],
                          capture_output=True, text=True, env=env, timeout=300)
    return None if done.returncode == 0 else f"{python} cannot import {module}: {done.stderr.strip()[-300:]}"


def _pyqdpx() -> None:
    reason = _missing(PYQDPX_PYTHON, "pyqdpx")
    if reason:
        pytest.skip(f"pyqdpx is not available: {reason}")


def _qualcoder() -> None:
    if not (QUALCODER_SRC / "qualcoder" / "refi.py").exists() or not (CLIENTS / "qc_import.py").exists():
        pytest.skip(f"QualCoder's pinned source is not at {QUALCODER_SRC} (it is kept outside the repository, "
                    "in ../shared/refi-qda/clients)")
    reason = _missing(QUALCODER_PYTHON, "qualcoder.refi")
    if reason:
        pytest.skip(f"QualCoder's importer cannot run here: {reason}")


def read_with_pyqdpx(path: Path) -> dict:
    done = subprocess.run([str(PYQDPX_PYTHON), str(HERE / "pyqdpx_dump.py"), str(path)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def import_with_qualcoder(path: Path, out: Path) -> tuple[dict, sqlite3.Connection]:
    env = {**os.environ, "QC_SRC": str(QUALCODER_SRC), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([str(QUALCODER_PYTHON), str(CLIENTS / "qc_import.py"), str(path), str(out)],
                          capture_output=True, text=True, env=env, timeout=900)
    assert (out / "result.json").exists(), done.stdout + done.stderr
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    return result, sqlite3.connect(out / "imported.qda" / "data.qda")


def export_with_qualcoder(project_folder: Path, out: Path) -> Path:
    env = {**os.environ, "QC_SRC": str(QUALCODER_SRC), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([str(QUALCODER_PYTHON), str(HERE / "qualcoder_export.py"), str(project_folder), str(out)],
                          capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample project: three coders' codings with memos, the tagger's suggestions, 14 participants."""
    folder = tmp_path_factory.mktemp("readers")
    with Project.create(folder / "sample.qda") as project, warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        project.ingest(SAMPLES / "transcripts", attributes=SAMPLES / "participants.csv", pipeline="blank")
        project.code(REPO / "codebooks" / "asymmetries.yaml", pipeline="blank", progress=False)
        project.import_codings(SAMPLES / "codings", codebook=REPO / "codebooks" / "asymmetries.yaml")
        for suggestions in (False, True):
            project.export_qdpx(folder / f"sample-{suggestions}.qdpx", include_suggestions=suggestions,
                                allow_identifiers=True)
        codings = project.codings()
        memos = project.memos()
        texts = {d: project.text(d) for d in project.documents()["doc_id"]}
        participants = project.participants()
        documents = project.documents()
    return {"folder": folder, "codings": codings, "memos": memos, "texts": texts, "participants": participants,
            "documents": documents}


def _rows(frame) -> list[list]:
    return frame.astype(object).where(frame.notna(), "").values.tolist()


def _exported(sample, suggestions: bool):
    statuses = ["confirmed", "suggested"] if suggestions else ["confirmed"]
    return sample["codings"][sample["codings"]["status"].isin(statuses)]


@pytest.mark.slow
@pytest.mark.parametrize("suggestions", [False, True], ids=["confirmed", "with-suggestions"])
def test_pyqdpx_reads_every_selection_with_its_quote_coder_and_memo(sample, suggestions):
    _pyqdpx()
    read = read_with_pyqdpx(sample["folder"] / f"sample-{suggestions}.qdpx")
    assert read["printed"] == []  # no warning: nothing skipped
    codings = _exported(sample, suggestions)
    cased = sample["documents"]["participant_id"].notna().sum()
    assert len(read["selections"]) == len(codings) + cased
    assert all(s["text"] == s["name"] or (s["name"].endswith("…") and s["text"].startswith(s["name"][:-1]))
               for s in read["selections"])
    expected = {(row.doc_id, sample["texts"][row.doc_id][row.start:row.end], row.coder_id)
                for row in codings.itertuples()}
    got = {(s["source"], s["text"], s["user"]) for s in read["selections"] if s["user"] != "asymmetry_qda"}
    assert got == expected
    memo_of = dict(zip(sample["memos"]["coding_id"], sample["memos"]["text"], strict=True))
    expected_memos = sorted((row.doc_id, sample["texts"][row.doc_id][row.start:row.end], row.coder_id,
                             memo_of[row.coding_id]) for row in codings.itertuples() if row.coding_id in memo_of)
    got_memos = sorted((s["source"], s["text"], s["user"], s["description"]) for s in read["selections"]
                       if s["description"] and not s["description"].startswith("asymmetry_qda suggestion:"))
    assert got_memos == expected_memos and len(got_memos) == 105  # every coding memo, on its coding
    marked = [s for s in read["selections"] if (s["description"] or "").startswith("asymmetry_qda suggestion:")]
    assert len(marked) == (int((codings["status"] == "suggested").sum()) if suggestions else 0)


@pytest.mark.slow
def test_pyqdpx_places_codings_after_emoji_where_they_are_with_utf16_positions(project, write, tmp_path):
    _pyqdpx()
    project.ingest(write("INT01.txt", "P01: It lands on me \U0001F643 every time. Then \U0001F62C the blame comes "
                                      "\U0001F926 and stays.\n"), pipeline="blank")
    text = project.text("INT01")
    for quote in ("It lands on me", "every time", "the blame comes", "and stays"):
        start = text.index(quote)
        project.code_span("INT01", start, start + len(quote), "response.blame", coder="LT")
    with pytest.warns(QDAWarning, match=r"INT01 \(3 codings: .every time.; .the blame comes.; .and stays.\)"):
        project.export_qdpx(tmp_path / "points.qdpx", case_codes=False)
    project.export_qdpx(tmp_path / "units.qdpx", positions="utf16", case_codes=False)
    points = read_with_pyqdpx(tmp_path / "points.qdpx")["selections"]
    units = read_with_pyqdpx(tmp_path / "units.qdpx")["selections"]
    assert sum(s["text"] == s["name"] for s in points) == 1  # code points: only the one before any emoji lands
    assert [s["text"] for s in sorted(units, key=lambda s: s["start"])] == [
        "It lands on me", "every time", "the blame comes", "and stays"]


@pytest.mark.slow
@pytest.mark.parametrize("suggestions", [False, True], ids=["confirmed", "with-suggestions"])
def test_qualcoder_imports_every_coding_memo_case_link_and_attribute(sample, suggestions, tmp_path):
    _qualcoder()
    path = sample["folder"] / f"sample-{suggestions}.qdpx"
    result, db = import_with_qualcoder(path, tmp_path / "qc")
    assert result["error"] is None, result["error"]
    codings = _exported(sample, suggestions)
    counts = result["counts"]
    assert counts["source"] == len(sample["texts"]) and counts["code_text"] == len(codings)
    quotes = {(name, seltext, owner) for name, seltext, owner in db.execute(
        "select s.name, t.seltext, t.owner from code_text t join source s on s.id = t.fid")}
    assert quotes == {(row.doc_id, sample["texts"][row.doc_id][row.start:row.end], row.coder_id)
                      for row in codings.itertuples()}
    # a coding memo is QualCoder's code_text.memo (its own export writes it as the selection's Description)
    memo_of = dict(zip(sample["memos"]["coding_id"], sample["memos"]["text"], strict=True))
    expected = sorted((row.doc_id, row.start, row.coder_id, memo_of[row.coding_id]) for row in codings.itertuples()
                      if row.coding_id in memo_of)
    got = sorted(db.execute("select s.name, t.pos0, t.owner, t.memo from code_text t join source s on s.id = t.fid "
                            "where t.memo is not null and t.memo != '' "
                            "and t.memo not like 'asymmetry_qda suggestion:%'").fetchall())
    assert got == expected and len(got) == 105
    marked = db.execute("select count(*) from code_text where memo like 'asymmetry_qda suggestion:%'").fetchone()[0]
    assert marked == int((codings["status"] == "suggested").sum())
    people = sample["participants"]
    assert counts["cases"] == len(people)
    links = set(db.execute("select c.name, s.name from case_text t join cases c using (caseid) "
                           "join source s on s.id = t.fid where t.pos0 = 0 and t.pos1 = length(s.fulltext)"))
    assert links == {(p, d) for d, p in zip(sample["documents"]["doc_id"], sample["documents"]["participant_id"],
                                             strict=True)}
    pseudonyms = dict(db.execute("select c.name, a.value from attribute a join cases c on c.caseid = a.id "
                                 "where a.attr_type = 'case' and a.name = 'pseudonym'"))
    assert pseudonyms == dict(zip(people["participant_id"], people["pseudonym"], strict=True))
    years = dict(db.execute("select c.name, a.value from attribute a join cases c on c.caseid = a.id "
                            "where a.attr_type = 'case' and a.name = 'years_service'"))
    assert years["P01"] == "1.5" and dict(db.execute("select name, valuetype from attribute_type"))[
        "years_service"] == "numeric"
    assert not list((tmp_path / "qc").glob("*_temporary")), "QualCoder's temporary folder is left behind"


@pytest.mark.slow
def test_the_round_trip_through_qualcoder_keeps_texts_codes_codings_coders_memos_and_participants(
        sample, tmp_path):
    _qualcoder()
    result, _ = import_with_qualcoder(sample["folder"] / "sample-True.qdpx", tmp_path / "qc")
    assert result["error"] is None
    back_file = export_with_qualcoder(tmp_path / "qc" / "imported.qda", tmp_path / "qc-export")
    with Project.create(tmp_path / "back.qda") as back:
        report = back.import_qdpx(back_file)
        assert not [s for s in report.skipped if s.kind in ("coding", "case", "source", "selection")], report.skipped
        assert {d: back.text(d) for d in back.documents()["doc_id"]} == sample["texts"]
        key = ["doc_id", "start", "end", "code_id", "coder_id", "status"]
        original = _rows(_exported(sample, True)[key + ["rule_id"]].sort_values(key))
        again = _rows(back.codings()[key + ["rule_id"]].sort_values(key))
        assert again == original  # suggestions come back as suggestions, with their rule
        assert set(back.codings()["code_id"]) <= set(sample["codings"]["code_id"])  # no case became a code
        columns = ["doc_id", "start", "end", "code_id", "author", "text"]
        assert sorted(back.memos()[columns].values.tolist()) == sorted(sample["memos"][columns].values.tolist())
        people = ["participant_id", "pseudonym", "rank", "rank_raw", "leader", "function", "years_service"]
        assert _rows(back.participants()[people]) == _rows(sample["participants"][people])
        assert back.documents()[["doc_id", "kind", "participant_id"]].values.tolist() == \
            sample["documents"][["doc_id", "kind", "participant_id"]].values.tolist()


@pytest.mark.slow
def test_qualcoder_reads_the_codebook_and_codings_as_they_stand_after_renames_and_merges(coded, tmp_path):
    """Issue 22: an export after code operations carries the current codebook and the carried codings."""
    _qualcoder()
    coded.rename_code("experience", "feeling", label="Feeling", by="LT")
    coded.merge_codes(["response.praise"], "response.blame", by="LT")
    path = coded.export_qdpx(tmp_path / "refined.qdpx", allow_identifiers=True)
    result, db = import_with_qualcoder(path, tmp_path / "qc")
    assert result["error"] is None, result["error"]
    names = {name for (name,) in db.execute("select name from code_name")}
    assert {"Feeling", "Blame"} <= names and not {"Experience", "Praise"} & names
    book = coded.latest_codebook()
    confirmed = coded.codings()
    confirmed = confirmed[confirmed["status"] == "confirmed"]
    text = coded.text("INT07")
    got = sorted(db.execute("select c.name, t.seltext, t.owner from code_text t join code_name c using (cid)"))
    assert got == sorted((book[row.code_id].label, text[row.start:row.end], row.coder_id)
                         for row in confirmed.itertuples())
