"""The command line: each command, its output files, and errors without tracebacks."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from asymmetry_qda.cli import main

from .conftest import INTERVIEW, SAMPLES, requires_model

ATTRS = "doc_id,pseudonym,rank,function,data_type\nINT07,Kit,DI,investigation,interview\n"


@pytest.fixture
def cli_project(tmp_path, write, capsys):
    project = tmp_path / "study.qda"
    assert main(["init", str(project)]) == 0
    assert main(["ingest", str(project), str(write("INT07.txt", INTERVIEW)),
                 "--attributes", str(write("participants.csv", ATTRS)), "--model", "blank"]) == 0
    capsys.readouterr()
    return project


def test_init_ingest_info(cli_project, capsys):
    assert main(["info", str(cli_project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["by_kind"]["interview"]["documents"] == 1
    assert info["by_kind"]["interview"]["participant_turns"] == 2
    assert info["by_kind"]["total"]["participants"] == 1
    assert main(["info", str(cli_project)]) == 0
    assert "interview" in capsys.readouterr().out


def test_segments_csv_has_the_promised_columns_and_exact_text(cli_project, tmp_path):
    out = tmp_path / "segments.csv"
    assert main(["segments", str(cli_project), "--out", str(out), "--unit", "turn"]) == 0
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["doc_id", "segment_id", "unit", "start", "end", "speaker", "is_interviewer", "text"]
    assert rows[1]["text"] == INTERVIEW.split("P07: ")[1].split("\n\nInterviewer")[0]
    assert INTERVIEW.replace("\r\n", "\n")[int(rows[1]["start"]):int(rows[1]["end"])] == rows[1]["text"]
    assert [r["is_interviewer"] for r in rows] == ["True", "False", "True", "False"]


def test_segments_to_stdout_and_filters(cli_project, capsys):
    assert main(["segments", str(cli_project), "--out", "-", "--no-interviewer", "--unit", "sentence"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert len(rows) == 4 and {r["speaker"] for r in rows} == {"P07"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["info", "{missing}"], "no project file there"),
        (["init", "{project}"], "a file already exists there"),
        (["ingest", "{project}", "{bad}"], "EMPTY.txt: the file is empty"),
        (["ingest", "{project}"], "ingest needs at least one PATH or --attributes CSV"),
        (["segments", "{project}", "--out", "{nofolder}"], "does not exist. Fix: create it first"),
        (["segments", "{project}", "--out", "-", "--doc", "NOPE"], "no document 'NOPE'"),
    ],
)
def test_errors_print_one_message_and_exit_2(cli_project, tmp_path, write, capsys, argv, message):
    values = {"missing": str(tmp_path / "missing.qda"), "project": str(cli_project),
              "bad": str(write("EMPTY.txt", b"")), "nofolder": str(tmp_path / "no" / "x.csv")}
    assert main([a.format(**values) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_unexpected_failure_is_reported_without_traceback_unless_debug(cli_project, capsys, monkeypatch):
    from asymmetry_qda import project as project_module

    monkeypatch.setattr(project_module.Project, "info", lambda self: 1 / 0)
    assert main(["info", str(cli_project)]) == 70
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError" in err and "Traceback" not in err
    assert main(["info", str(cli_project), "--debug"]) == 70
    assert "Traceback" in capsys.readouterr().err


def test_warnings_are_printed_once_as_warning_lines(tmp_path, write, capsys):
    project = tmp_path / "p.qda"
    main(["init", str(project)])
    path = write("OLD.txt", "Interviewer: Caf\xe9?\n\nP01: Oui.\n".encode("cp1252"))
    assert main(["ingest", str(project), str(path), "--model", "blank"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: OLD.txt: not valid UTF-8") == 1


def test_every_command_has_help_with_an_example(capsys):
    for command in ["init", "ingest", "info", "segments"]:
        with pytest.raises(SystemExit) as stop:
            main([command, "--help"])
        assert stop.value.code == 0
        assert "Example: asymmetry-qda" in capsys.readouterr().out


def test_python_dash_m_and_console_script_run(tmp_path):
    project = tmp_path / "p.qda"
    result = subprocess.run([sys.executable, "-m", "asymmetry_qda", "init", str(project)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and project.exists()
    script = subprocess.run([str(__import__("pathlib").Path(sys.executable).with_name("asymmetry-qda")), "info",
                             str(tmp_path / "missing.qda")], capture_output=True, text=True, check=False)
    assert script.returncode == 2 and script.stderr.startswith("error: ") and "Traceback" not in script.stderr


@requires_model
def test_demo_job_on_the_sample_data(tmp_path, capsys):
    project = tmp_path / "sample.qda"
    assert main(["init", str(project)]) == 0
    assert main(["ingest", str(project), str(SAMPLES / "transcripts"),
                 "--attributes", str(SAMPLES / "participants.csv")]) == 0
    out = capsys.readouterr().out
    assert "documents: 15 added" in out and "participants: 14 added" in out
    assert main(["info", str(project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)["by_kind"]
    assert (info["interview"]["documents"], info["fieldnote"]["documents"]) == (12, 3)
