#!/usr/bin/env bash
# Create .venv and install the project (idempotent; a stamp file skips reinstalling).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "installing the project into .venv (log: .venv/install.log)"
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e '.[dev]'; } >.venv/install.log 2>&1; then
    tail -30 .venv/install.log
    exit 1
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi
