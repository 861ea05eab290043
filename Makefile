# Two commands for a fresh machine with Python 3.11 and make:
#   make demo   set up .venv, install, and run the main job on data_samples/
#   make test   set up .venv with test tools, and run make lint and the whole test suite
#   make lint   ruff's checks and the layer contracts of pyproject.toml (import-linter)
#   make docs   build the manual and the API reference into build/docs/ (warnings are errors)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   ?= build/demo
# the pseudonym key is kept apart from the project and from every export
DEMO_KEYS ?= build/demo-keys

.PHONY: demo test lint docs screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	rm -rf $(DEMO) $(DEMO_KEYS) && mkdir -p $(DEMO) $(DEMO_KEYS)
	$(BIN)/asymmetry-qda init $(DEMO)/sample.qda
	$(BIN)/asymmetry-qda ingest $(DEMO)/sample.qda data_samples/transcripts --attributes data_samples/participants.csv
	$(BIN)/asymmetry-qda info $(DEMO)/sample.qda
	$(BIN)/asymmetry-qda codebook validate codebooks/asymmetries.yaml
	$(BIN)/asymmetry-qda codebook test codebooks/asymmetries.yaml
	$(BIN)/asymmetry-qda codebook export-qdc codebooks/asymmetries.yaml $(DEMO)/asymmetries.qdc
	$(BIN)/asymmetry-qda code $(DEMO)/sample.qda --codebook codebooks/asymmetries.yaml
	$(BIN)/asymmetry-qda import-codings $(DEMO)/sample.qda data_samples/codings --codebook codebooks/asymmetries.yaml
	$(BIN)/asymmetry-qda audit $(DEMO)/sample.qda --out $(DEMO_KEYS)/audit.csv
	$(BIN)/asymmetry-qda pseudonymise $(DEMO)/sample.qda --key $(DEMO_KEYS)/sample-key.json --by demo --out $(DEMO)/anonymisation.csv
	$(BIN)/asymmetry-qda segments $(DEMO)/sample.qda --out $(DEMO)/segments.csv
	$(BIN)/asymmetry-qda codings $(DEMO)/sample.qda --out $(DEMO)/codings.csv
	$(BIN)/asymmetry-qda agreement $(DEMO)/sample.qda --coders LT,MK,RS --out $(DEMO)/agreement.csv
	$(BIN)/asymmetry-qda agreement $(DEMO)/sample.qda --coders LT,MK,RS --pairwise --out $(DEMO)/agreement_pairs.csv --disagreements $(DEMO)/disagreements.csv
	$(BIN)/asymmetry-qda evaluate $(DEMO)/sample.qda --reference LT --candidate rule --out $(DEMO)/evaluation.csv --errors $(DEMO)/evaluation_errors.csv
	$(BIN)/asymmetry-qda tables $(DEMO)/sample.qda --out $(DEMO)/tables --coders LT
	$(BIN)/asymmetry-qda reproduce --out build/reproduction

# The optional semantic extra for tests/test_semantic.py: PyTorch pinned first (a plain 'torch' would take
# a CUDA build of several GB), then the extra; where that cannot be had, the semantic tests skip and say why.
$(VENV)/.semantic: pyproject.toml | $(VENV)/.installed
	($(BIN)/python -m pip install --quiet 'torch==2.13.0' && $(BIN)/python -m pip install --quiet -e '.[test,semantic]') \
		|| echo "the semantic extra could not be installed: tests/test_semantic.py will skip"
	touch $@

# Other programs' REFI-QDA readers for tests/test_refi_readers.py, each in its own environment from the
# package registries: pyqdpx (PyPI; it needs Python 3.12) and what QualCoder's importer needs (PyQt6 from PyPI,
# Debian's libpulse0 for Qt Multimedia); QualCoder's own source is the pinned copy in ../shared, never copied
# here. Where one cannot be had, its tests skip and say why.
PYTHON312 ?= $(shell for p in python3.12 $(HOME)/.pyenv/versions/3.12*/bin/python3.12; do \
	$$p -c 'import sys' 2>/dev/null && { command -v $$p || echo $$p; } && break; done)
$(VENV)/.readers: | $(VENV)/.installed
	(test -n "$(PYTHON312)" && $(PYTHON312) -m venv .venv-pyqdpx && \
		.venv-pyqdpx/bin/python -m pip install --quiet 'pyqdpx==0.1.8') \
		|| echo "pyqdpx could not be installed (it needs Python 3.12): its tests will skip"
	(ldconfig -p | grep -q 'libpulse.so.0' || apt-get install -y -q libpulse0 >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libpulse0 >/dev/null 2>&1)) \
		|| echo "Debian's libpulse0 could not be installed: QualCoder's importer will not load"
	($(PYTHON) -m venv .venv-qualcoder && .venv-qualcoder/bin/python -m pip install --quiet 'PyQt6==6.11.0' \
		pillow pymupdf pymupdf4llm networkx psutil PyYAML) \
		|| echo "QualCoder's dependencies could not be installed: its tests will skip"
	touch $@

# A real browser for tests/test_jupyterlab.py: Debian's Chromium (Playwright, from the test extra, drives it; its
# own browser download is never used). Where it cannot be had, the browser tests skip and say why.
$(VENV)/.browser: | $(VENV)/.installed
	(test -x /usr/bin/chromium || apt-get install -y -q chromium >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
		|| echo "Debian's chromium could not be installed: the browser tests will skip"
	touch $@

# the suite runs in one process per core (at most 4; pytest-xdist), each test file whole in one process so that its
# module fixtures are built once; the slowest tests are listed at the end
test: lint $(VENV)/.semantic $(VENV)/.readers $(VENV)/.browser
	$(BIN)/python -m pytest --numprocesses=auto --maxprocesses=4 --dist=loadfile --durations=15

# style (ruff: pyflakes, pycodestyle, import order) and the layers: nothing below Project imports it, the store
# and the records import no service (import-linter, counting function-local and type-checking imports)
lint: $(VENV)/.installed
	$(BIN)/ruff check asymmetry_qda tests benchmarks
	$(BIN)/lint-imports

# the manual (docs/guide/) and the API reference from the docstrings (docs/reference/), as HTML in
# build/docs/; every warning is an error, as in tests/test_docs.py
DOCS ?= build/docs
docs: $(VENV)/.installed
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs $(DOCS)
	@echo "the docs are in $(DOCS)/index.html"

# the pictures in docs/images/, taken in JupyterLab in headless Chromium by the same tooling as the browser test
screenshots: $(VENV)/.installed $(VENV)/.browser
	$(BIN)/python -m tests.browser

clean:
	rm -rf $(VENV) .venv-pyqdpx .venv-qualcoder build .pytest_cache .hypothesis
