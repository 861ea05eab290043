"""Read a .qdpx with pyqdpx (PyPI) and print what it read as JSON: run in pyqdpx's own environment.

Usage: python pyqdpx_dump.py FILE.qdpx   (pyqdpx needs Python >= 3.12; see tests/test_refi_readers.py)
"""

import contextlib
import io
import json
import sys

import pyqdpx

buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):  # pyqdpx prints its warnings
    project = pyqdpx.QDPX(sys.argv[1]).get_project()
out = {"version": getattr(pyqdpx, "__version__", None), "printed": buffer.getvalue().splitlines(),
       "users": [], "codes": [], "sources": [], "selections": []}
if project is not None:
    out["users"] = sorted(u.name for u in project.users.values())
    out["codes"] = [{"guid": c.guid, "name": c.name, "parent": c.parent.guid if c.parent else None}
                    for c in project.codes.values()]
    for source in project.sources.values():
        out["sources"].append(source.name)
        for selection in source.coded_selections.values():
            out["selections"].append({
                "guid": selection.guid, "source": source.name, "start": selection.start, "end": selection.end,
                "text": selection.text, "name": selection._xml_tag.get("name"), "code": selection.code.guid,
                "user": selection.user.name, "description": selection.description})
json.dump(out, sys.stdout)
