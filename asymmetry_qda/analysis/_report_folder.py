"""The tables folder, replaced whole: written into a hidden sibling, then put in the earlier run's place.

An interruption leaves the folder as it was; a killed run's sibling is removed
by the next run; a folder holding anything but an earlier run's files is
refused. :func:`asymmetry_qda.analysis.write_tables` writes through it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import stat
from pathlib import Path

from ..errors import QDAError
from ..fileio import fsync_folder, write_bytes_atomically
from ..interrupts import deferred_interrupts

_MANIFEST = "manifest.json"


def _write_folder(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a new sibling folder, then put it in ``out``'s place (an earlier run's folder goes).

    An interruption at any point leaves ``out`` as it was (the earlier run, or
    nothing); a killed run's hidden sibling is removed by the next run.
    """
    _check_target(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QDAError(f"{out.parent}: cannot be created ({exc.strerror or exc}); nothing was written. "
                       "Fix: write the tables to a folder you may write to") from exc
    replacing = out.exists()
    tmp = _new_sibling(out)
    try:
        if replacing:
            os.chmod(tmp, stat.S_IMODE(out.stat().st_mode))
        for name, content in files.items():
            write_bytes_atomically(tmp / name, content)
        with deferred_interrupts():  # the two renames are not cut in two by Ctrl-C or SIGTERM
            if replacing:
                aside = tmp.with_name(tmp.name + "-old")
                os.rename(out, aside)
                try:
                    os.rename(tmp, out)
                except BaseException:
                    os.rename(aside, out)
                    raise
                fsync_folder(out.parent)
                shutil.rmtree(aside, ignore_errors=True)
            else:
                os.rename(tmp, out)
                fsync_folder(out.parent)
    except OSError as exc:
        raise QDAError(f"{out}: cannot be written ({exc.strerror or exc}); nothing was written and any earlier "
                       "tables there are unchanged. Fix: check the folder and the disk, and run it again") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _check_target(out: Path) -> None:
    """Refuse an ``out`` that is not a folder, or one holding files an earlier tables run did not write."""
    if out.exists() and not out.is_dir():
        raise QDAError(f"{out}: is not a folder; nothing was written. Fix: name a new folder for the tables")
    if not out.name:
        raise QDAError(f"{out}: cannot be replaced. Fix: name a new folder for the tables, e.g. {out / 'tables'}")
    if out.exists():
        _check_replaceable(out)


def _target(out: str | Path) -> Path:
    """``out`` as an absolute path without ``..``, through a link to a folder (the link stays)."""
    out = Path(os.path.abspath(out))
    return out.resolve() if out.is_symlink() else out


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, Linux), ``"ended"`` for a zombie, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = fields[fields.rfind(")") + 2:].split()
    if len(fields) < 20:
        return None
    return "ended" if fields[0] in ("Z", "X") else fields[19]


def _sibling_pattern(out: Path) -> re.Pattern:
    return re.compile(re.escape(f".{out.name}.tmp-") + r"(\d+)-(\d+|x)-([0-9a-f]{8})-[0-9a-f]{8}(-old)?")


def _new_sibling(out: Path) -> Path:
    """A new hidden folder beside ``out`` named after this process (pid, start time, host)."""
    started = _started(os.getpid())
    stem = f".{out.name}.tmp-{os.getpid()}-{started if started and started.isdigit() else 'x'}-{_host_tag()}-"
    for _ in range(100):
        folder = out.with_name(stem + secrets.token_hex(4))
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise QDAError(f"{out}: cannot create a folder beside it ({exc.strerror or exc}); nothing was "
                           f"written. Fix: write the tables to a folder whose parent you may write to") from exc
    raise QDAError(f"{out}: cannot create a folder beside it; nothing was written")


def _has_ended(pid: int, started: str, host: str) -> bool:
    """True only when the process named in a sibling folder's name has certainly ended (in doubt: False)."""
    if host != _host_tag() or os.name != "posix" or pid == os.getpid():
        return False  # another machine's (a shared folder), or Windows, where os.kill(pid, 0) would end it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    now = _started(pid)
    return now == "ended" or (now is not None and started != "x" and now != started)  # ended, or id reused


def _remove_stale_siblings(out: Path) -> None:
    """Remove the hidden folders a killed run left beside ``out``; one it had moved aside comes back if
    ``out`` is missing (killed between the two renames)."""
    pattern = _sibling_pattern(out)
    try:
        siblings = sorted(out.parent.iterdir())
    except OSError:
        return
    for folder in siblings:
        match = pattern.fullmatch(folder.name)
        if not match or folder.is_symlink() or not folder.is_dir():
            continue
        if not _has_ended(int(match.group(1)), match.group(2), match.group(3)):
            continue
        if match.group(4) and not out.exists():
            try:
                os.rename(folder, out)
                continue
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)


def _check_replaceable(out: Path) -> None:
    """Refuse a folder that holds anything but an earlier run's files (those its manifest names)."""
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return
    named: set[str] = set()
    try:
        manifest = json.loads((out / _MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("tool", {}).get("name") == "asymmetry_qda":
            named = {f["path"] for f in manifest["files"] if isinstance(f.get("path"), str)}
            named.add(_MANIFEST)
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass

    def earlier(name: str) -> bool:
        path = out / name
        if path.is_symlink() or not path.is_file():
            return False  # folders and links are never the tables' own
        # a file the manifest names, or a hidden temporary file an older version left beside one
        return name in named or any(name.startswith(f".{n}.") for n in named)

    foreign = [name for name in entries if not earlier(name)]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        why = ("it has no manifest.json from an earlier tables run" if not named
               else "its manifest.json does not name them")
        raise QDAError(f"{out}: holds files that the tables would replace but did not write ({shown}; {why}); "
                       "nothing was written. Fix: give --out a new folder (or one an earlier tables run wrote), "
                       "or move those files away")
