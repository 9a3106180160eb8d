# Every target creates .venv on a fresh machine; nothing is installed by hand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest demo sandbox playground bench clean lock verify-image

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n 4

demo: $(STAMP)
	$(BIN)/sms-bridge demo

sandbox: $(STAMP)
	$(BIN)/sms-bridge sandbox

playground: $(STAMP)
	$(BIN)/sms-bridge playground

bench: $(STAMP)
	$(BIN)/python bench/bulk_send.py

clean:
	rm -rf $(VENV) $(LOCK_VENV) .mypy_cache .pytest_cache .ruff_cache

# The container image installs exactly these pinned, hash-checked versions. `make lock` after
# changing dependencies in pyproject.toml (or to take newer releases), then commit both files.
# Resolved for the image's Python (3.11) against the package index alone: local pip settings
# (extra indexes, folders of local wheels) must not leak into what the image is built from.
LOCK_PY ?= python3
LOCK_VENV := .venv-lock
LOCK_ENV ?= env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	CUSTOM_COMPILE_COMMAND='make lock'
PIP_COMPILE = $(LOCK_ENV) $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--allow-unsafe --no-emit-index-url --no-emit-find-links --annotate

lock:
	@$(LOCK_PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "make lock: LOCK_PY must be a Python 3.11, the image's"; exit 1; }
	rm -rf $(LOCK_VENV)
	$(LOCK_PY) -m venv $(LOCK_VENV)
	$(LOCK_ENV) $(LOCK_VENV)/bin/pip install --quiet 'pip-tools==7.6.2'
	$(PIP_COMPILE) --upgrade --output-file deploy/requirements.lock pyproject.toml
	$(PIP_COMPILE) --upgrade --output-file deploy/build.lock deploy/build.in
	rm -rf $(LOCK_VENV)

# Builds the image on a local Debian base and checks it (needs a Docker engine; see the script).
verify-image:
	bash deploy/verify-image.sh
