"""Export a QualCoder project back to REFI-QDA with QualCoder's own exporter (``RefiExport``), headless.

Run in QualCoder's environment (PyQt6 ...) with QC_SRC naming QualCoder's ``src`` folder; only its dialogs
are answered. Usage: QC_SRC=... python qualcoder_export.py PROJECT_FOLDER.qda OUT_DIR
The project folder is one that QualCoder's importer made (see the clients' qc_import.py).
"""

import builtins
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

builtins._ = lambda s: s
sys.path.insert(0, os.environ["QC_SRC"])
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
home = tempfile.mkdtemp(prefix="qualcoder-home-")
os.environ["HOME"] = home  # QualCoder prepares the export in ~/.qualcoder/<project>
(Path(home) / ".qualcoder").mkdir()

from PyQt6 import QtWidgets  # noqa: E402

application = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
import qualcoder.refi as refi  # noqa: E402

project_path, outdir = Path(sys.argv[1]), Path(sys.argv[2])
outdir.mkdir(parents=True, exist_ok=True)
connection = sqlite3.connect(project_path / "data.qda")


class Message:
    def __init__(self, app, title, text, icon=None):
        self.text = text

    def exec(self):
        return 0


class LineEndings:  # the dialog asking whether to add MAXQDA line endings: no
    def __init__(self, app):
        class Button:
            def isChecked(self):
                return False

        self.ui = type("Ui", (), {"radioButton_maxqda": Button()})()

    def exec(self):
        return 0


class App:
    def __init__(self):
        self.conn = connection
        self.project_path = str(project_path)
        self.project_name = project_path.name
        self.version = "QualCoder (c3204641)"
        self.settings = {"directory": str(outdir), "codername": "default", "fontsize": 10, "font": "sans"}

    def get_annotations(self):
        rows = connection.execute("select anid, fid, pos0, pos1, memo, owner, date from annotation").fetchall()
        return [dict(zip(("anid", "fid", "pos0", "pos1", "memo", "owner", "date"), r)) for r in rows]


class Log:
    def append(self, text):
        pass


refi.Message = Message
refi.RefiLineEndings = LineEndings
refi.QtWidgets.QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: str(outdir))
refi.RefiExport(App(), Log(), "project")
print(next(str(p) for p in outdir.glob("*.qdpx")))
