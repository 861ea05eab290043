"""K7, K15: the tables folder is replaced whole (all old or all new); a killed run's hidden folder goes next time."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from asymmetry_qda.analysis import _report_folder as report_folder
from asymmetry_qda.analysis import load, write_tables
from asymmetry_qda.errors import QDAError

from .conftest import INTERVIEW


@pytest.fixture
def coded(project, write):
    project.ingest(write("INT07.txt", INTERVIEW), pipeline="blank")
    text = project.text("INT07")
    start = text.index("everything on the borough")
    project.code_span("INT07", start, start + 25, "agency.responsibility", coder="ana")
    return project


def _state(folder):
    """Every entry of ``folder`` (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _siblings(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _interrupt_after(monkeypatch, calls: int):
    real = report_folder.write_bytes_atomically
    seen = []

    def flaky(path, data):
        seen.append(path)
        if len(seen) > calls:
            raise KeyboardInterrupt
        return real(path, data)

    monkeypatch.setattr(report_folder, "write_bytes_atomically", flaky)
    return seen


def test_an_interrupted_rewrite_leaves_the_earlier_run_byte_identical_and_no_temporary_folder(coded, tmp_path,
                                                                                              monkeypatch):
    out = tmp_path / "tables"
    write_tables(load(coded), out, figures=False)
    before, parent_before = _state(out), sorted(p.name for p in tmp_path.iterdir())
    text = coded.text("INT07")
    start = text.index("it'll be me")
    coded.code_span("INT07", start, start + 11, "response.blame", coder="ana")  # the new run differs
    seen = _interrupt_after(monkeypatch, 5)
    with pytest.raises(KeyboardInterrupt):
        write_tables(load(coded), out, figures=False)
    assert len(seen) == 6  # it was stopped half-way, after 5 of its files
    assert _state(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == parent_before and not _siblings(out)
    monkeypatch.undo()
    manifest = write_tables(load(coded), out, figures=False)  # and the next run replaces it whole
    assert manifest["codings"]["count"] == 2
    assert sorted(_state(out)) == sorted([f["path"] for f in manifest["files"]] + ["manifest.json"])


def test_an_interrupted_first_run_leaves_nothing(coded, tmp_path, monkeypatch):
    out = tmp_path / "new" / "tables"
    _interrupt_after(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        write_tables(load(coded), out, figures=False)
    assert not out.exists() and not _siblings(out)


def test_the_new_run_replaces_every_file_of_the_old_one(coded, tmp_path):
    out = tmp_path / "tables"
    write_tables(load(coded), out, figures=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].append({"path": "balance.png", "sha256": "0", "bytes": 1})  # as if drawn by the old run
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "balance.png").write_bytes(b"old")
    (out / ".matrix_documents.csv.k2j3h4g5").write_bytes(b"half")  # an older version's temporary file
    again = write_tables(load(coded), out, figures=False)
    assert sorted(_state(out)) == sorted([f["path"] for f in again["files"]] + ["manifest.json"])
    assert not _siblings(out)


def test_stale_temporary_siblings_of_ended_runs_are_removed_and_live_ones_kept(coded, tmp_path):
    out = tmp_path / "tables"
    host = report_folder._host_tag()
    dead = tmp_path / f".tables.tmp-{_dead_pid()}-x-{host}-deadbeef"
    alive = tmp_path / f".tables.tmp-{os.getppid()}-x-{host}-0badf00d"  # a running process's
    elsewhere = tmp_path / f".tables.tmp-{_dead_pid()}-x-{'0' * 8 if host != '0' * 8 else '1' * 8}-12345678"
    unrelated = tmp_path / ".tables.tmp-mine"
    for folder in (dead, alive, elsewhere, unrelated):
        folder.mkdir()
        (folder / "frequencies.csv").write_text("half", encoding="utf-8")
    write_tables(load(coded), out, figures=False)
    assert not dead.exists()
    assert alive.exists() and elsewhere.exists() and unrelated.exists()
    assert (out / "manifest.json").exists()


def test_a_folder_moved_aside_by_a_run_killed_between_the_renames_comes_back(coded, tmp_path):
    out = tmp_path / "tables"
    write_tables(load(coded), out, figures=False)
    before = _state(out)
    aside = tmp_path / f".tables.tmp-{_dead_pid()}-x-{report_folder._host_tag()}-deadbeef-old"
    out.rename(aside)
    report_folder._remove_stale_siblings(out)
    assert _state(out) == before and not aside.exists()


@pytest.mark.parametrize("extra", [None, "notes.docx"])
def test_a_folder_holding_other_files_is_refused_untouched(coded, tmp_path, extra):
    out = tmp_path / "tables"
    if extra:  # an earlier run, plus a file of the user's
        write_tables(load(coded), out, figures=False)
        (out / extra).write_text("my notes", encoding="utf-8")
    else:  # a folder that no tables run wrote
        out.mkdir()
        (out / "frequencies.csv").write_text("mine", encoding="utf-8")
        (out / "draft.md").write_text("mine", encoding="utf-8")
    before = _state(out)
    with pytest.raises(QDAError, match="did not write") as caught:
        write_tables(load(coded), out, figures=False)
    assert (extra or "draft.md") in str(caught.value) and "nothing was written" in str(caught.value)
    assert _state(out) == before and not _siblings(out)


def test_a_file_or_an_empty_folder_as_out(coded, tmp_path):
    path = tmp_path / "tables"
    path.write_text("not a folder", encoding="utf-8")
    with pytest.raises(QDAError, match="is not a folder"):
        write_tables(load(coded), path, figures=False)
    assert path.read_text(encoding="utf-8") == "not a folder"
    empty = tmp_path / "empty"
    empty.mkdir()
    write_tables(load(coded), empty, figures=False)
    assert (empty / "manifest.json").exists()
