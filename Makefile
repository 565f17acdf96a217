# sciday: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the whole suite
# on SQLite and PostgreSQL 15. Each target installs what is missing first; see scripts/.
.PHONY: run test lint bench install

run:       ## install what is missing, migrate, load the demo, start the worker and serve
	@scripts/run.sh

test:      ## the whole suite on SQLite, then on a private PostgreSQL 15 (+ Redis, Chromium)
	@scripts/test.sh $(ARGS)

lint:      ## ruff, ruff format --check, mypy, makemigrations --check
	@scripts/lint.sh

bench:     ## /notice/ and / vs a bare view (and / after a publication); national scale (1M activities: search, list page) on SQLite and PostgreSQL; Excel import; 1 GiB upload and photo thumbnails; writes docs/PERFORMANCE.md
	@scripts/bootstrap.sh bench
	@.venv/bin/python bench/run.py

install:   ## install everything the tests need, without running anything
	@scripts/bootstrap.sh test
