#!/usr/bin/env bash
# ruff, ruff format --check, mypy (settings in pyproject.toml) and a check for missing migrations.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/bootstrap.sh" lint
cd "$ROOT"
status=0
say "ruff check";            "$VENV/bin/ruff" check . || status=1
say "ruff format --check";   "$VENV/bin/ruff" format --check . || status=1
say "mypy";                  "$VENV/bin/mypy" config sciday || status=1
say "makemigrations --check"
SCIDAY_VAR_DIR="$VAR/lint" "$PY" manage.py makemigrations --check --dry-run || status=1
exit "$status"
