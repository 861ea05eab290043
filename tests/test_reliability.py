"""Data safety under interruption, concurrency and faults (issue 16; cases of RELIABILITY-FINDINGS.md).

Each test reproduces one failing case of the adversarial round, by an injected hook, a real signal, two
processes racing on a lock, a real tiny filesystem (where the test may mount one), or a damaged file; and
checks that nothing is lost, shifted or half-written, that the message tells the truth, and that a rerun
finishes the work.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from asymmetry_qda import Project
from asymmetry_qda.backends import Dask
from asymmetry_qda.cli import main
from asymmetry_qda.errors import ProjectBusy, ProjectChanged, ProjectDamaged, ProjectReadOnly, QDAError, QDAWarning
from asymmetry_qda.store.sqlite import is_live_project

from .conftest import REPO, snapshot

INT01 = ("Interviewer: Who did you call?\n\n"
         "P01: I rang Sergeant Okafor first. Okafor said DCI Walsh would decide, and Walsh never rang back. "
         "We met at Lewisham nick on the Monday.\n\n"
         "Interviewer: And then?\n\n"
         "P01: Then it all landed on me, as usual, and nobody thanked anyone. Call me at 10:45 on Friday.\n")
INT02 = ("Interviewer: Tell me about the review.\n\n"
         "P02: Okafor was off, so PC 4471 took the call. You can reach me on 07700 900123 if you like.\n")
CODING_CSV = ("doc_id,quote,code,memo\n"
              "INT01,\"it all landed on me, as usual\",agency.responsibility,on me\n"
              "INT02,took the call,agency.responsibility,\n")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(*args: str, env: dict | None = None, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "asymmetry_qda", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, cwd=REPO, **kwargs)


@pytest.fixture
def made(tmp_path, write):
    """A closed project of two invented interviews with identifiers and one coder's codings; keys elsewhere."""
    (tmp_path / "keys").mkdir()
    (tmp_path / "project").mkdir()
    write("INT01.txt", INT01)
    write("INT02.txt", INT02)
    codings = tmp_path / "inputs" / "codings" / "LT"
    codings.mkdir(parents=True)
    (codings / "quotes.csv").write_text(CODING_CSV, encoding="utf-8")
    path = tmp_path / "project" / "study.qda"
    with Project.create(path) as p:
        p.ingest([tmp_path / "inputs" / "INT01.txt", tmp_path / "inputs" / "INT02.txt"], pipeline="blank")
        p.import_codings(tmp_path / "inputs" / "codings")
    return path


def _findings(project):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        return project.audit(pipeline="blank")


def _pseudonyms_in(project) -> set[str]:
    import re

    found = set()
    for doc_id in project.documents()["doc_id"]:
        found |= set(re.findall(r"\[[A-Z]+-\d+\]", project.text(doc_id)))
    return found


def _key_pseudonyms(key: Path) -> set[str]:
    return {e["pseudonym"] for e in json.loads(key.read_text(encoding="utf-8"))["entries"]}


# --- M8, M6: an output never replaces a project, a journal, a key or a folder ------------------------
@pytest.mark.parametrize("command", [
    ["segments", "{p}", "--out", "{p}", "--allow-identifiers"],
    ["codings", "{p}", "--out", "{p}", "--allow-identifiers"],
    ["audit", "{p}", "--out", "{p}", "--pipeline", "blank"],
    ["agreement", "{p}", "--coders", "LT,MK", "--out", "{p}"],
    ["evaluate", "{p}", "--reference", "LT", "--candidate", "rule", "--out", "{p}"],
    ["pseudonymise", "{p}", "--key", "{k}", "--dry-run", "--out", "{p}", "--pipeline", "blank"],
    ["export-qdpx", "{p}", "{p}", "--allow-identifiers"],
    ["codebook", "export-qdc", str(REPO / "codebooks" / "asymmetries.yaml"), "{p}"],
    ["segments", "{p}", "--out", "{other}", "--allow-identifiers"],
    ["segments", "{p}", "--out", "{p}-wal", "--allow-identifiers"],
    ["segments", "{p}", "--out", "{existing_key}", "--allow-identifiers"],
    ["segments", "{p}", "--out", "{folder}", "--allow-identifiers"],
    ["tables", "{p}", "--out", "{p}", "--include-suggestions"],
])
def test_an_output_naming_a_project_key_journal_or_folder_is_refused(made, tmp_path, command, capsys):
    other = tmp_path / "other.qda"
    Project.create(other).close()
    existing_key = tmp_path / "keys" / "old-key.json"
    existing_key.write_text(json.dumps({"format": "asymmetry-qda pseudonym key", "entries": []}), encoding="utf-8")
    names = {"p": str(made), "k": str(tmp_path / "keys" / "k.json"), "other": str(other),
             "existing_key": str(existing_key), "folder": str(tmp_path / "keys")}
    before = {f: _digest(f) for f in (made, other, existing_key)}
    status = main([part.format(**names) for part in command])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "internal error" not in err and "nothing was written" in err or "is a folder" in err or "not a folder" in err
    assert {f: _digest(f) for f in before} == before
    with Project.open(made) as p:  # still a project
        assert len(p.documents()) == 2


def test_write_atomically_refuses_the_open_project_by_any_name(made, tmp_path):
    from asymmetry_qda.fileio import write_text_atomically

    link = tmp_path / "link.qda"
    link.symlink_to(made)
    with Project.open(made):
        assert is_live_project(link) and is_live_project(f"{made}-wal")
        with pytest.raises(QDAError, match="project file this command has open"):
            write_text_atomically(link, "x")
    assert not is_live_project(made)


# --- K13, K14, K5: the key survives every interruption and always explains the project ------------------
_SIGINT_AFTER_KEY = textwrap.dedent("""
    import os, sys, time
    import asymmetry_qda.anonymise.rewrite as rw
    from asymmetry_qda.cli import main
    real = rw._write_key
    def slow(path, data):
        real(path, data)
        open(os.environ["MARK"], "w").close()
        time.sleep(float(os.environ.get("SLOW", "3")))   # still before the COMMIT
    rw._write_key = slow
    sys.exit(main(sys.argv[1:]))
""")


def _pseudonymise_interrupted(made: Path, key: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    script = tmp_path / "sigint_after_key.py"
    script.write_text(_SIGINT_AFTER_KEY, encoding="utf-8")
    mark = tmp_path / f"mark-{len(list(tmp_path.glob('mark-*')))}"
    proc = subprocess.Popen([sys.executable, str(script), "pseudonymise", str(made), "--key", str(key), "--by", "A",
                             "--pipeline", "blank", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "MARK": str(mark)}, cwd=REPO)
    deadline = time.monotonic() + 240
    while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=240)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_ctrl_c_between_key_and_commit_keeps_the_key_and_says_it_was_committed(made, tmp_path):
    key = tmp_path / "keys" / "k.json"
    done = _pseudonymise_interrupted(made, key, tmp_path)
    assert done.returncode == 130, done.stderr
    assert "committed" in done.stderr and "nothing was committed" not in done.stderr
    assert key.exists(), "the key of a committed pseudonymisation was deleted"
    with Project.open(made) as p:
        assert p._db.execute("SELECT count(*) FROM runs WHERE kind = 'pseudonymise'").fetchone()[0] == 1
        in_project = _pseudonyms_in(p)
        assert in_project and in_project <= _key_pseudonyms(key)
        assert "Okafor" not in p.text("INT01")

    # K14: a second run that extends the key, interrupted the same way
    first = _key_pseudonyms(key)
    done = _pseudonymise_interrupted(made, key, tmp_path, "--severity", "high,medium,low")
    assert done.returncode == 130, done.stderr
    with Project.open(made) as p:
        in_project = _pseudonyms_in(p)
    assert in_project - first, "the second run should have added pseudonyms"
    assert in_project <= _key_pseudonyms(key), "pseudonyms in the project that no key explains"


def test_a_failure_after_the_key_write_leaves_the_old_key_and_a_crash_there_is_repaired(made, tmp_path,
                                                                                      monkeypatch):
    import asymmetry_qda.anonymise.rewrite as rewrite

    key = tmp_path / "keys" / "k.json"
    with Project.open(made) as p:
        p.pseudonymise(_findings(p).query("kind == 'phone'"), key=key, by="A")
        kept = key.read_text(encoding="utf-8")
        findings = _findings(p)
        before = snapshot(p)
        real = rewrite._write_key

        def crash_before_commit(path, data):
            real(path, data)
            raise RuntimeError("power cut")  # as if the process died between the key write and the COMMIT

        monkeypatch.setattr(rewrite, "_write_key", crash_before_commit)
        with pytest.raises(RuntimeError, match="power cut"):
            p.pseudonymise(findings, key=key, by="A")
        monkeypatch.undo()
        assert snapshot(p) == before and key.read_text(encoding="utf-8") == kept

        # kill -9 there instead: the key lists a run that never committed; the next run drops it
        phantom = json.loads(kept)
        phantom["replacements"].append({"run_id": "never-committed", "doc_id": "INT01", "start": 1, "end": 5,
                                        "original": "Ghost", "pseudonym": "[PERSON-99]", "kind": "person"})
        phantom["entries"].append({"pseudonym": "[PERSON-99]", "originals": ["Ghost"], "kinds": ["person"]})
        key.write_text(json.dumps(phantom), encoding="utf-8")
        p.pseudonymise(_findings(p), key=key, by="A")
        data = json.loads(key.read_text(encoding="utf-8"))
        runs = {r[0] for r in p._db.execute("SELECT run_id FROM runs WHERE kind = 'pseudonymise'")}
        assert {r["run_id"] for r in data["replacements"]} == runs and len(runs) == 2
        assert "[PERSON-99]" not in _key_pseudonyms(key) and _pseudonyms_in(p) <= _key_pseudonyms(key)


# --- C6, C7: concurrent writers serialise instead of corrupting -------------------------------------
_SLOW_IN_TRANSACTION = textwrap.dedent("""
    import os, sys, time
    import asymmetry_qda.anonymise.rewrite as rw
    from asymmetry_qda.cli import main
    real = rw._write_key
    def slow(path, data):
        open(os.environ["MARK"], "w").close()
        time.sleep(float(os.environ.get("SLOW", "4")))   # inside the write transaction, before the key and COMMIT
        real(path, data)
    rw._write_key = slow
    sys.exit(main(sys.argv[1:]))
""")


def _slow_pseudonymise(made: Path, key: Path, tmp_path: Path) -> subprocess.Popen:
    script = tmp_path / "slow.py"
    script.write_text(_SLOW_IN_TRANSACTION, encoding="utf-8")
    mark = tmp_path / "slow-mark"
    proc = subprocess.Popen([sys.executable, str(script), "pseudonymise", str(made), "--key", str(key), "--by", "A",
                             "--pipeline", "blank"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "MARK": str(mark)}, cwd=REPO)
    deadline = time.monotonic() + 240
    while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert mark.exists(), proc.communicate()[1]
    return proc


def _segments(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute('SELECT segment_id, start, "end" FROM segments ORDER BY segment_id').fetchall()


def test_two_pseudonymise_runs_at_once_apply_once(made, tmp_path):
    key = tmp_path / "keys" / "k.json"
    first = _slow_pseudonymise(made, key, tmp_path)
    second = _cli("pseudonymise", str(made), "--key", str(key), "--by", "B", "--pipeline", "blank")
    out, err = first.communicate(timeout=240)
    assert first.returncode == 0, err
    assert second.returncode in (0, 2) and "internal error" not in second.stderr, second.stderr
    key_data = json.loads(key.read_text(encoding="utf-8"))
    with Project.open(made) as p:
        runs = p._db.execute("SELECT options FROM runs WHERE kind = 'pseudonymise'").fetchall()
        assert len(runs) == 1, "the second run should have been refused or found nothing to do"
        assert json.loads(runs[0][0])["key_id"] == key_data["key_id"]
        for doc_id in ("INT01", "INT02"):  # segments still tile their text, each once
            text = p.text(doc_id)
            turns = p.segments(unit="turn", doc_id=doc_id, include_interviewer=True)
            assert turns["end"].max() <= len(text)
            assert list(turns["start"].iloc[1:]) >= list(turns["end"].iloc[:-1])
        coded = p.codings()
        assert sorted(coded["text"]) == sorted(["it all landed on me, as usual", "took the call"])


def test_import_codings_during_pseudonymise_locates_quotes_on_the_committed_text(made, tmp_path):
    key = tmp_path / "keys" / "k.json"
    more = tmp_path / "inputs" / "more" / "MK"
    more.mkdir(parents=True)
    (more / "q.csv").write_text("doc_id,quote,code\nINT01,nobody thanked anyone,response.blame\n"
                                "INT02,if you like,response.blame\n", encoding="utf-8")
    first = _slow_pseudonymise(made, key, tmp_path)
    second = _cli("import-codings", str(made), str(tmp_path / "inputs" / "more"))
    first.communicate(timeout=240)
    assert second.returncode == 0, second.stderr
    with Project.open(made) as p:
        coded = p.codings()
        mk = coded[coded["coder_id"] == "MK"]
        assert sorted(mk["text"]) == ["if you like", "nobody thanked anyone"]
        for row in coded.itertuples():  # every coding covers exactly its words on the current text
            assert p.text(row.doc_id)[row.start:row.end] == row.text


def test_a_concurrent_ingest_is_refused_not_doubled(made, tmp_path, write, monkeypatch):
    import asymmetry_qda.ingest as ingest_module  # where ingest_sources plans

    write("INT03.txt", "Interviewer: Q?\n\nP03: It lands on me.\n")
    real = ingest_module.plan_ingest

    def meanwhile(*args, **kwargs):
        planned = real(*args, **kwargs)
        monkeypatch.setattr(ingest_module, "plan_ingest", real)
        with Project.open(made) as other:  # another process ingests the same file first
            other.ingest(tmp_path / "inputs" / "INT03.txt", pipeline="blank")
        return planned

    with Project.open(made) as p:
        monkeypatch.setattr(ingest_module, "plan_ingest", meanwhile)
        with pytest.raises(ProjectChanged, match="run the ingest again"):
            p.ingest(tmp_path / "inputs" / "INT03.txt", pipeline="blank")
        monkeypatch.undo()
        report = p.ingest(tmp_path / "inputs" / "INT03.txt", pipeline="blank")
        assert set(report.documents["action"]) == {"unchanged"}
        assert len(p.documents()) == 3


def test_a_writer_waiting_for_the_lock_says_so_and_gives_up_clearly(made, tmp_path):
    holder = sqlite3.connect(made, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = time.monotonic()
        done = _cli("import-codings", str(made), str(tmp_path / "inputs" / "codings"),
                    env={"ASYMMETRY_QDA_LOCK_TIMEOUT": "3"})
        waited = time.monotonic() - before
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 2, done.stderr
    assert "note:" in done.stderr and "waiting up to 3 s" in done.stderr
    assert "another process has been writing to this project" in done.stderr and "internal error" not in done.stderr
    assert waited >= 2.5


# --- K6, K12: a .qdpx import is one transaction -------------------------------------------------------
def test_an_interrupted_qdpx_import_leaves_the_project_as_it_was_and_can_be_rerun(made, tmp_path, monkeypatch):
    archive = tmp_path / "s.qdpx"
    with Project.open(made) as p, warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        p.export_qdpx(archive, allow_identifiers=True)
    target = tmp_path / "t.qda"
    Project.create(target).close()
    with Project.open(target) as t:
        empty = snapshot(t)
        calls = {"n": 0}
        import asymmetry_qda.store.codings as codings_module

        real = codings_module.human_coding

        def interrupted(*args, **kwargs):  # Ctrl-C after the documents and the first coding are written
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        monkeypatch.setattr(codings_module, "human_coding", interrupted)
        with pytest.raises(KeyboardInterrupt):
            t.import_qdpx(archive)
        monkeypatch.undo()
        assert snapshot(t) == empty
        report = t.import_qdpx(archive)
        assert report.documents == 2 and report.codings == 2
        assert len(t.codings()) == 2


# --- item 4: re-opening in a process that holds the project open -------------------------------------
def test_reopening_after_another_process_wrote_keeps_the_live_connection_sound(made, tmp_path, monkeypatch):
    import builtins

    notebook = Project.open(made)  # a notebook's first cell
    try:
        assert len(notebook.codings()) == 2
        done = _cli("import-codings", str(made), str(tmp_path / "inputs" / "codings"), "--coder", "MK")
        assert done.returncode == 0, done.stderr
        real_open = builtins.open

        def guarded(file, *args, **kwargs):
            if isinstance(file, (str, Path)) and Path(file).resolve() == made.resolve():
                raise AssertionError("the live project file was opened outside SQLite")
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded)
        again = Project.open(made)  # the notebook re-runs its first cell
        monkeypatch.undo()
        done = _cli("import-codings", str(made), str(tmp_path / "inputs" / "codings"), "--coder", "RS")
        assert done.returncode == 0, done.stderr
        assert len(again.codings()) == 6 and len(notebook.codings()) == 6
        assert again.check() == []
        again.close()
    finally:
        notebook.close()


# --- D1, D2, D6: damaged files are refused, untouched ----------------------------------------------------
@pytest.mark.parametrize("damage", ["truncate-1", "truncate-half", "flip-bytes", "user-version--1"])
def test_a_damaged_project_is_refused_with_a_way_to_recover(made, damage, capsys):
    size = made.stat().st_size
    if damage == "truncate-1":
        os.truncate(made, size - 1)
    elif damage == "truncate-half":
        os.truncate(made, size // 2 // 4096 * 4096)
    elif damage == "flip-bytes":
        data = bytearray(made.read_bytes())
        for i in range(4096, 4096 + 200):  # the b-tree header of the page after the file header's page
            data[i] ^= 0xFF
        made.write_bytes(bytes(data))
    else:
        with sqlite3.connect(made) as db:
            db.execute("PRAGMA user_version = -1")
    before = _digest(made)
    with pytest.raises(ProjectDamaged, match="restore it from a backup"):
        Project.open(made)
    assert main(["info", str(made)]) == 2
    assert main(["review", str(made), "--accept", "--code", "agency", "--coder", "LT"]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "internal error" not in err
    assert _digest(made) == before


def test_a_damaged_page_of_a_large_table_is_found_when_read_and_by_check(made, capsys):
    # opening reads the schema and the small tables only (a large project opens in milliseconds); a damaged page
    # of the codings is reported when the codings are read, as damage, and `check` finds it
    with sqlite3.connect(made) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        page = db.execute("SELECT pageno FROM dbstat WHERE name = 'codings' ORDER BY pageno LIMIT 1").fetchone()[0]
    db.close()
    data = bytearray(made.read_bytes())
    at = (page - 1) * page_size
    for i in range(at, at + 200):  # the page's b-tree header and cell pointers
        data[i] ^= 0xFF
    made.write_bytes(bytes(data))
    with Project.open(made) as p:
        assert p.check()  # integrity_check reads every page
        assert len(p.documents()) == 2  # what does not touch the codings still works
    assert main(["codings", str(made), "--out", "-", "--allow-identifiers"]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "restore it from a backup" in err and "internal error" not in err


def test_check_and_backup(made, tmp_path, capsys):
    copy = tmp_path / "backup.qda"
    assert main(["backup", str(made), str(copy)]) == 0
    assert main(["check", str(copy)]) == 0
    with Project.open(made) as p, Project.open(copy) as c:
        assert c.check() == [] and snapshot(c).count("INSERT") == snapshot(p).count("INSERT")
    assert main(["backup", str(made), str(copy)]) == 2  # never over an existing file
    with sqlite3.connect(copy) as db:  # an index that no longer matches its table: only the full check sees it
        db.execute("PRAGMA writable_schema = ON")
        name = db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'codings' "
                          "AND sql IS NOT NULL").fetchone()[0]
        rootpage = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    data = bytearray(copy.read_bytes())
    page = (rootpage - 1) * 4096
    data[page + 8:page + 12] = b"\x00\x00\x00\x00"  # clear the index page's cell pointers' first entries
    copy.write_bytes(bytes(data))
    capsys.readouterr()
    status = main(["check", str(copy)])
    err = capsys.readouterr().err
    assert status == 2 and "internal error" not in err


# --- F1 to F5: a full disk is a clear message, and nothing is half-written -------------------------------
@pytest.fixture
def tiny_disk(tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here to fill a disk ({done.stderr.decode().strip()})")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    st = os.statvfs(folder)
    (folder / "filler").write_bytes(b"x" * max(st.f_bavail * st.f_frsize - leave, 0))


def test_a_full_disk_is_reported_as_such_and_changes_nothing(made, tmp_path, tiny_disk):
    project = tiny_disk / "p.qda"
    shutil.copy(made, project)
    _fill(tiny_disk, 60 * 1024)
    before = _digest(project)
    more = tmp_path / "inputs" / "big" / "MK"
    more.mkdir(parents=True)
    rows = "".join(f"INT01,nobody thanked anyone,code.{i}\n" for i in range(3000))
    (more / "q.csv").write_text("doc_id,quote,code\n" + rows, encoding="utf-8")
    for command in (["import-codings", str(project), str(tmp_path / "inputs" / "big")],
                    ["code", str(project), "--pipeline", "blank", "--quiet"],
                    ["segments", str(project), "--out", str(tiny_disk / "s.csv"), "--allow-identifiers"]):
        if command[0] == "segments":
            (tiny_disk / "filler-2").write_bytes(b"x" * (os.statvfs(tiny_disk).f_bavail * 4096))
        done = _cli(*command)
        assert done.returncode == 2, done.stderr
        assert ("disk is full" in done.stderr or "No space left" in done.stderr), done.stderr
        assert "internal error" not in done.stderr and "cannot rollback" not in done.stderr
    assert _digest(project) == before and not (tiny_disk / "s.csv").exists()
    assert not [p for p in tiny_disk.iterdir() if p.name.startswith(".s.csv")]


# --- R1, R2: read-only projects can be read and exported ---------------------------------------------
def test_a_read_only_project_reads_and_exports_but_refuses_writes(made, tmp_path, monkeypatch):
    real_access = os.access

    def no_writes(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() in (made.resolve(), made.parent.resolve()):
            return False
        return real_access(path, mode, *args, **kwargs)

    with Project.open(made) as p:
        _findings(p)  # cached now: drop it, so the read-only project must audit without storing a cache
        with p.transaction() as db:
            db.execute("DELETE FROM project_info WHERE key = 'audit_cache'")
    before = _digest(made)
    monkeypatch.setattr(os, "access", no_writes)
    with Project.open(made) as p:
        assert p._store.read_only
        assert len(p.codings()) == 2
        assert len(_findings(p)) > 0  # the audit runs; its cache is simply not stored
        with pytest.raises(ProjectReadOnly, match="read-only"):
            p.code_span("INT01", 0, 5, "agency", coder="LT")
    out = tmp_path / "codings.csv"
    assert main(["codings", str(made), "--out", str(out), "--allow-identifiers"]) == 0
    assert out.exists()
    assert main(["review", str(made), "--accept", "--code", "agency", "--coder", "LT"]) == 2
    monkeypatch.undo()
    assert _digest(made) == before


# --- M11, and the dask extra -----------------------------------------------------------------------
def test_a_closed_pipe_is_a_quiet_end(made):
    done = subprocess.run(f"'{sys.executable}' -m asymmetry_qda segments '{made}' --out - --allow-identifiers "
                          "| head -1", shell=True, capture_output=True, text=True, cwd=REPO, timeout=300,
                          executable="/bin/bash")
    assert done.stdout.startswith("doc_id,")
    assert "internal error" not in done.stderr and "BrokenPipe" not in done.stderr


def test_the_dask_backend_without_dask_names_the_extra(made, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with Project.open(made) as p:
        with pytest.raises(QDAError, match=r"pip install 'asymmetry_qda\[dask\]'"):
            p.code(REPO / "codebooks" / "asymmetries.yaml", pipeline="blank", backend=Dask())


def test_busy_and_full_sqlite_errors_are_translated():
    from asymmetry_qda.store.sqlite import translate_sqlite_error

    assert isinstance(translate_sqlite_error(sqlite3.OperationalError("database is locked"), "p.qda", "write"),
                      ProjectBusy)
    assert "disk is full" in str(translate_sqlite_error(sqlite3.OperationalError("database or disk is full"),
                                                        "p.qda", "write"))
    assert translate_sqlite_error(sqlite3.OperationalError("no such table: x"), "p.qda", "write") is None


# --- K3: pool workers end with their parent ---------------------------------------------------------
def test_pool_workers_do_not_outlive_a_killed_parent(made, tmp_path):
    psutil = pytest.importorskip("psutil")
    proc = subprocess.Popen([sys.executable, "-m", "asymmetry_qda", "code", str(made), "--pipeline", "blank",
                             "--n-process", "2", "--quiet"], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    children = []
    while time.monotonic() < deadline and proc.poll() is None:
        children = [c for c in parent.children(recursive=True) if "python" in (c.name() or "")]
        if len(children) >= 2:
            break
        time.sleep(0.05)
    if proc.poll() is not None or not children:
        pytest.skip("the run ended before its workers could be seen")
    proc.kill()
    proc.wait()
    gone, alive = psutil.wait_procs(children, timeout=15)
    for child in alive:
        child.kill()
    assert not alive, f"{len(alive)} worker(s) outlived their killed parent"


# --- P2, P3, M2, M3, M10: misuse gets a clear refusal --------------------------------------------------
def test_a_key_or_plan_anywhere_in_the_project_folder_is_refused(made, tmp_path, capsys):
    inside = made.parent / "keys"
    inside.mkdir()
    with Project.open(made) as p, pytest.raises(QDAError, match="inside the project's folder"):
        p.pseudonymise(_findings(p), key=inside / "k.json")
    assert not (inside / "k.json").exists()
    status = main(["pseudonymise", str(made), "--key", str(tmp_path / "keys" / "k.json"), "--dry-run",
                   "--out", str(inside / "plan.csv"), "--pipeline", "blank"])
    assert status == 2 and not (inside / "plan.csv").exists()
    assert "whoever gets the project folder gets the plan" in capsys.readouterr().err


def test_misused_review_and_suggest_options_are_refused_or_warned(made, tmp_path, capsys):
    assert main(["suggest", str(made), "--threshold", "7"]) == 2
    with Project.open(made) as p:
        assert p.models().empty  # refused before anything was trained
    with pytest.warns(QDAWarning, match="no coding in the project has the rule 'no.such.rule'"):
        with Project.open(made) as p:
            assert p.accept(rule="no.such.rule", coder="LT") == []
    decisions = tmp_path / "decisions.csv"
    with Project.open(made) as p:
        some = p.codings()["coding_id"].iloc[0]
    decisions.write_text(f"coding_id,decision,start,end\n{some},modify,abc,5\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["review", str(made), "--decisions", str(decisions), "--coder", "LT"]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "'abc' is not a whole number" in err and "internal error" not in err


# --- C10: two processes upgrading an old project at once --------------------------------------------
def test_two_processes_upgrading_an_old_project_at_once_both_succeed(tmp_path):
    from asymmetry_qda.store.schema import MIGRATIONS, SCHEMA_VERSION
    from asymmetry_qda.store.sqlite import APPLICATION_ID, _statements

    old = tmp_path / "v1.qda"
    with sqlite3.connect(old, isolation_level=None) as db:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA journal_mode = WAL")
        for statement in _statements(MIGRATIONS[0][1]):
            db.execute(statement)
        db.execute("PRAGMA user_version = 1")
    db.close()
    opener = ("import sys, time; from asymmetry_qda import Project\n"
              "while time.time() < float(sys.argv[2]): pass\n"
              "Project.open(sys.argv[1]).close()\n")
    start = str(time.time() + 3)
    procs = [subprocess.Popen([sys.executable, "-c", opener, str(old), start], cwd=REPO, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with sqlite3.connect(old) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# --- C8: suggestions are not stored on a text that changed while it was tagged -------------------------
def test_code_skips_documents_changed_while_they_were_tagged(made, monkeypatch):
    import asymmetry_qda.tagging.run as run

    real = run.tag_stream

    def changed_meanwhile(*args, **kwargs):
        yield from real(*args, **kwargs)
        with sqlite3.connect(made) as other:  # another process pseudonymises INT01 while this one tags
            other.execute("UPDATE documents SET text = replace(text, 'Okafor', '[OFFICER-1]'), sha256 = 'new' "
                          "WHERE doc_id = 'INT01'")
        other.close()

    monkeypatch.setattr(run, "tag_stream", changed_meanwhile)
    with Project.open(made) as p:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QDAWarning)
            p.code(REPO / "codebooks" / "asymmetries.yaml", pipeline="blank")
        assert any("1 document(s) changed while they were being tagged (INT01" in str(w.message) for w in caught)
        stored = p._db.execute("SELECT DISTINCT doc_id FROM codings WHERE origin = 'rule'").fetchall()
        assert "INT01" not in [r[0] for r in stored]  # nothing on the text that is gone
        monkeypatch.undo()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QDAWarning)
            report = p.code(REPO / "codebooks" / "asymmetries.yaml", pipeline="blank")  # the rerun codes the new text
        rows = p._db.execute("SELECT DISTINCT text_sha256 FROM codings WHERE origin = 'rule' AND doc_id = 'INT01'")
        assert [r[0] for r in rows] == ["new"] and report.added_suggested > 0
