#!/usr/bin/env bash
# The whole test suite: lint (ruff), types (mypy), tests (pytest) against the real
# PostgreSQL on 127.0.0.1:5432 (a missing server fails the run, it is never skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy crawler pipelines spiders settings.py bench
echo "== pytest"
# exit code 5 (no tests collected) is a failure too: set -e stops on any non-zero code
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
