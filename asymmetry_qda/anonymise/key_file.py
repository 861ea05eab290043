"""The pseudonym key file: what each pseudonym stands for, kept outside the project.

:func:`~asymmetry_qda.anonymise.rewrite.pseudonymise_project` extends the key
inside its transaction and writes it before the commit. The key, and a plan
that quotes the originals, must never sit in the project file's folder or
below it (:func:`outside_project_folder`). A key may list a run the project
never committed (a crash between the key's write and the commit): reading it
for the next run drops that run's rows (:func:`read_key`).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from ..errors import InputError, Problem
from ..fileio import KEY_FORMAT
from ..store.sqlite import utc_now

__all__ = ["KEY_WARNING", "checked_path", "extend_key", "load_key", "merged_entries", "outside_project_folder",
           "read_key"]

KEY_WARNING = ("This file re-identifies people in the study. Keep it apart from the project, on an encrypted drive, "
               "and never share it or put it in an export.")


def load_key(path: str | Path, *, project_id: str | None = None) -> dict:
    """Read a key file (checking it is one, and of this project when ``project_id`` is given)."""
    path = Path(path)
    try:
        key = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(Problem(str(path), f"cannot be read as a pseudonym key ({exc})",
                                 fix="pass the key file an earlier pseudonymisation wrote, or a new path")) from exc
    if not isinstance(key, dict) or key.get("format") != KEY_FORMAT or not isinstance(key.get("entries"), list):
        raise InputError(Problem(str(path), "is not an asymmetry-qda pseudonym key",
                                 fix="pass the key file an earlier pseudonymisation wrote, or a new path"))
    if project_id is not None and key.get("project_id") != project_id:
        raise InputError(Problem(str(path), "is the key of another project",
                                 fix="each project has its own key: pass this project's key or a new path"))
    return key


def outside_project_folder(path: str | Path, project: Path, what: str) -> Path:
    """``path`` resolved, if it is neither in the project file's folder nor in any folder below it.

    Whoever gets the project folder gets everything inside it, sub-folders
    included: a key, or a plan that quotes the originals, must live elsewhere.
    """
    resolved = Path(path).expanduser().resolve()
    folder = project.resolve().parent
    if resolved == project.resolve() or resolved.parent == folder or folder in resolved.parents:
        where = "beside the project file" if resolved.parent == folder else f"inside the project's folder {folder}"
        raise InputError(Problem(str(path), f"is {where}: whoever gets the project folder gets the {what}",
                                 fix="write it somewhere else, e.g. ~/secure/"))
    return resolved


def checked_path(key: str | Path, project: Path) -> Path:
    """The path of the key file ``key`` to write, resolved: a JSON file, in a folder that exists, outside the
    folder of ``project`` (the project file)."""
    path = outside_project_folder(key, project, "key")
    if path.suffix.lower() != ".json":
        raise InputError(Problem(str(key), "the key is a JSON file", fix="name it like study-key.json"))
    if not path.parent.is_dir():
        raise InputError(Problem(str(key), f"the folder {path.parent} does not exist", fix="create it first"))
    return path


def read_key(key_path: Path, project_id: str, committed: set[str]) -> dict:
    """The key as it stands (a new one if there is none), without the rows of runs the project never committed."""
    if not key_path.exists():
        return {"format": KEY_FORMAT, "format_version": 1, "warning": KEY_WARNING, "project_id": project_id,
                "key_id": uuid.uuid4().hex, "created_at": utc_now(), "entries": [], "replacements": [],
                "original_texts": {}}
    key_data = load_key(key_path, project_id=project_id)
    _keep_runs(key_data, committed)
    return key_data


def _keep_runs(key_data: dict, runs: set[str]) -> None:
    """Drop what ``key_data`` says of runs not in ``runs``; rebuild the entries from the replacements left."""
    replacements = key_data.get("replacements", [])
    if all(r.get("run_id") in runs for r in replacements) and all(
            v.get("run_id") in runs for versions in key_data.get("original_texts", {}).values() for v in versions):
        return
    key_data["replacements"] = [r for r in replacements if r.get("run_id") in runs]
    key_data["original_texts"] = {
        doc: kept for doc, versions in key_data.get("original_texts", {}).items()
        if (kept := [v for v in versions if v.get("run_id") in runs])}
    key_data["entries"] = merged_entries([], key_data["replacements"])


def merged_entries(entries: list[dict], rows: list[dict]) -> list[dict]:
    """``entries`` (one per pseudonym, with its originals and kinds) with the replacement ``rows`` added."""
    by_pseudonym = {e["pseudonym"]: e for e in entries}
    for row in rows:
        entry = by_pseudonym.setdefault(row["pseudonym"],
                                        {"pseudonym": row["pseudonym"], "originals": [], "kinds": []})
        for name, value in (("originals", row["original"]), ("kinds", row["kind"])):
            if value not in entry[name]:
                entry[name].append(value)
    return sorted(by_pseudonym.values(), key=lambda e: e["pseudonym"])


def extend_key(key: dict, rows: list[dict], now: str) -> None:
    """Add the replacement ``rows`` of a run to ``key`` (its entries, its replacements, when it was updated)."""
    key["entries"] = merged_entries(key["entries"], rows)
    key["replacements"] = key.get("replacements", []) + rows
    key["updated_at"] = now
