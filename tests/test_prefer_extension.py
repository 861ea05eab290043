"""A folder with one recording in several formats (Whisper writes .txt, .srt, .vtt, .tsv and .json side by
side; Teams gives a .vtt and a .docx): one id, so one format must be chosen, and the error says how."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from asymmetry_qda import Project
from asymmetry_qda.cli import main
from asymmetry_qda.errors import InputError

WHISPER = Path(__file__).parent / "data" / "real_transcripts" / "whisper"


@pytest.fixture()
def folder(tmp_path):
    out = tmp_path / "recordings"
    out.mkdir()
    for name in ("jfk.srt", "jfk.vtt", "jfk.txt", "lesson17_conversation.srt"):
        shutil.copy(WHISPER / name, out / name)
    return out


def test_without_a_preference_the_shared_id_is_an_error_that_names_the_option(tmp_path, folder):
    with Project.create(tmp_path / "p.qda") as project, pytest.raises(InputError) as caught:
        project.ingest(folder, pipeline="blank")
    message = str(caught.value)
    assert "duplicate document id 'jfk'" in message and "--prefer-extension" in message
    with Project.open(tmp_path / "p.qda") as project:
        assert project.documents().empty  # nothing half-written


def test_the_preferred_format_is_read_and_the_others_are_listed_as_skipped(tmp_path, folder):
    with Project.create(tmp_path / "p.qda") as project:
        report = project.ingest(folder, pipeline="blank", prefer_extensions=["vtt", "srt"])
        documents = project.documents().set_index("doc_id")
        assert sorted(documents.index) == ["jfk", "lesson17_conversation"]
        assert documents.loc["jfk", "source_format"] == "vtt"
        assert documents.loc["lesson17_conversation", "source_format"] == "srt"  # alone: kept
        assert sorted(Path(s.split(" (")[0]).name for s in report.skipped_files) == ["jfk.srt", "jfk.txt"]


def test_an_extension_not_in_the_list_is_kept_only_when_no_listed_one_exists(tmp_path, folder):
    with Project.create(tmp_path / "p.qda") as project, pytest.raises(InputError, match="duplicate document id 'jfk'"):
        project.ingest(folder, pipeline="blank", prefer_extensions=["docx"])  # no .docx: all three are read


def test_the_cli_option(tmp_path, folder, capsys):
    project = tmp_path / "p.qda"
    assert main(["init", str(project)]) == 0
    assert main(["ingest", str(project), str(folder), "--pipeline", "blank", "--prefer-extension", "txt"]) == 0
    out = capsys.readouterr().out
    assert "jfk.srt (another format of jfk.txt" in out
    with Project.open(project) as p:
        assert p.documents().set_index("doc_id").loc["jfk", "source_format"] == "txt"
