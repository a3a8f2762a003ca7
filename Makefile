# The README's two commands: `make demo` (the main job) and `make test` (the test suite).
# Both create the virtual environment .venv on first use. CPU machines get the CPU build of
# PyTorch; on a GPU machine install your CUDA build of torch into .venv first (README).

PYTHON ?= python3
VENV   ?= .venv
TORCH  ?= torch==2.13.0
# the versions pip may install; empty: the newest releases (.ci/newest, a CI job allowed to fail)
CONSTRAINTS ?= constraints.txt
PIP     = $(VENV)/bin/python -m pip
STAMP   = $(VENV)/.installed

.PHONY: setup browser demo test check clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -c "import torch" 2>/dev/null || $(PIP) install $(TORCH)
	$(PIP) install $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e ".[test]"
	touch $(STAMP)

demo: setup
	$(VENV)/bin/llmt demo

# tests/test_formgrader.py opens nbgrader's formgrader in headless Chromium (Debian's package):
# installed here, quietly, only when missing ($LLMT_CHROMIUM names another browser binary)
browser:
	@if [ -z "$${LLMT_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
		echo "installing chromium (apt-get) for the formgrader test" >&2; \
		$$sudo apt-get update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi

test: setup browser
	$(VENV)/bin/python -m pytest

check: setup
	$(VENV)/bin/llmt release --check
	$(VENV)/bin/llmt check

clean:
	rm -rf $(VENV)
