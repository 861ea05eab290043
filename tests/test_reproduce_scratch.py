"""reproduce's scratch folder (it holds the project before pseudonymisation, and the key): removed however a run
ends, and a killed run's folder removed by the next run (finding K8)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from asymmetry_qda import Project
from asymmetry_qda import reproduce as reproduce_module
from asymmetry_qda.errors import QDAError
from asymmetry_qda.reproduce import SCRATCH_PREFIX, reproduce


@pytest.fixture
def scratch_tmp(tmp_path, monkeypatch) -> Path:
    """A temporary directory of this test's own, for reproduce's scratch folders."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _scratch(folder: Path) -> list[Path]:
    return sorted(folder.glob(SCRATCH_PREFIX + "*"))


def _interrupt_at(monkeypatch, method: str, exception: BaseException, seen: list | None = None) -> None:
    def stop(self, *args, **kwargs):
        if seen is not None:
            seen.extend(_scratch(Path(tempfile.gettempdir())))
        raise exception

    monkeypatch.setattr(Project, method, stop)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("exception", [KeyboardInterrupt(), SystemExit(143), QDAError("bad input")],
                         ids=["ctrl-c", "sigterm", "error"])
def test_a_run_that_ends_early_leaves_no_scratch_folder(exception, scratch_tmp, tmp_path, monkeypatch):
    seen: list[Path] = []
    _interrupt_at(monkeypatch, "code", exception, seen)
    with pytest.raises(type(exception)):
        reproduce(tmp_path / "out", pipeline="blank")
    assert len(seen) == 1, "the run worked in one scratch folder of its own"
    assert seen[0].name.startswith(f"{SCRATCH_PREFIX}{os.getpid()}-")
    assert _scratch(scratch_tmp) == []


def test_the_scratch_folder_records_its_owner_while_the_run_lasts(scratch_tmp, tmp_path, monkeypatch):
    owners = []

    def look(self, *args, **kwargs):
        (folder,) = _scratch(scratch_tmp)
        owners.append(json.loads((folder / "owner.json").read_text(encoding="utf-8")))
        assert (folder / "project" / "sample.qda").is_file()
        raise KeyboardInterrupt

    monkeypatch.setattr(Project, "code", look)
    with pytest.raises(KeyboardInterrupt):
        reproduce(tmp_path / "out", pipeline="blank")
    assert owners == [reproduce_module._owner()]


def test_the_next_run_removes_the_scratch_of_ended_runs_and_keeps_the_others(scratch_tmp, tmp_path, monkeypatch):
    dead = _dead_pid()
    host = socket.gethostname()

    def folder(name: str, owner: dict | None) -> Path:
        path = scratch_tmp / name
        path.mkdir()
        (path / "sample.qda").write_text("the project before pseudonymisation", encoding="utf-8")
        if owner is not None:
            (path / "owner.json").write_text(json.dumps(owner), encoding="utf-8")
        return path

    killed = folder(f"{SCRATCH_PREFIX}{dead}-killed00", {"pid": dead, "started": "1", "host": host})
    unclaimed = folder(f"{SCRATCH_PREFIX}{dead}-noowner0", None)  # killed before owner.json was written
    live = folder(f"{SCRATCH_PREFIX}{os.getpid()}-live0000", reproduce_module._owner())
    elsewhere = folder(f"{SCRATCH_PREFIX}{dead}-remote00", {"pid": dead, "started": "1", "host": "elsewhere.invalid"})
    unrelated = folder(f"{SCRATCH_PREFIX}notapid", None)
    reused = None
    if reproduce_module._start_time(os.getpid()) is not None:  # Linux: a reused process id is told apart
        reused = folder(f"{SCRATCH_PREFIX}{os.getpid()}-reused00", {"pid": os.getpid(), "started": "-1", "host": host})

    _interrupt_at(monkeypatch, "ingest", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        reproduce(tmp_path / "out", pipeline="blank")
    assert not killed.exists() and not unclaimed.exists()
    assert reused is None or not reused.exists()
    assert live.is_dir() and elsewhere.is_dir() and unrelated.is_dir()


def _wait_for_project(folder: Path, child: subprocess.Popen, timeout: float = 120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in _scratch(folder) if (p / "project" / "sample.qda").exists()]
        if found:
            return found[0]
        if child.poll() is not None:
            pytest.fail(f"reproduce ended (status {child.returncode}) before its scratch project appeared: "
                        f"{child.stderr.read() if child.stderr else ''}")
        time.sleep(0.05)
    child.kill()
    pytest.fail("reproduce made no scratch project within the time allowed")


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGKILL, -9)],
                         ids=["ctrl-c", "sigterm", "kill-9"])
def test_the_command_signalled_from_outside_leaves_no_scratch_folder(signum, status, scratch_tmp, tmp_path,
                                                                     monkeypatch):
    env = {**os.environ, "TMPDIR": str(scratch_tmp)}
    # the child holds still once its scratch project exists (a blank-model run can otherwise finish before the
    # signal is sent, and a signal to a finished process is never delivered), and says so with a file
    ready = tmp_path / "ready"
    held = (f"import pathlib, sys, time\n"
            f"from asymmetry_qda import Project\n"
            f"from asymmetry_qda.cli import main\n"
            f"def held(self, *args, **kwargs):\n"
            f"    pathlib.Path({str(ready)!r}).touch()\n"
            f"    time.sleep(120)\n"
            f"Project.code = held\n"
            f"sys.exit(main(sys.argv[1:]))\n")
    child = subprocess.Popen([sys.executable, "-c", held, "reproduce", "--out", str(tmp_path / "out"),
                              "--pipeline", "blank", "--no-figures", "--quiet"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    scratch = _wait_for_project(scratch_tmp, child)
    deadline = time.monotonic() + 120
    while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), child.stderr.read()
    child.send_signal(signum)
    assert child.wait(timeout=120) == status, child.stderr.read()
    child.stderr.close()
    if signum != signal.SIGKILL:
        assert _scratch(scratch_tmp) == []
        return
    assert scratch.is_dir(), "kill -9 cannot be cleaned up after by the process itself"
    _interrupt_at(monkeypatch, "ingest", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        reproduce(tmp_path / "again", pipeline="blank")
    assert _scratch(scratch_tmp) == [], "the next run removes the killed run's scratch folder"
