#!/usr/bin/env bash
# Offline demo: serves recorded real pages locally, crawls them with the real spiders and
# pipelines into a SQLite file (jobs.db, or DATABASE_URL), prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python -m crawler.demo "$@"
