"""Exports: exact content in every format, filters, bounded memory on 20k rows, the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import text, update

from crawler.analytics.export import ExportFilter, export, parse_since, rows_of
from crawler.db.engine import get_engine
from crawler.db.migrate import upgrade
from crawler.db.models import postings
from crawler.db.store import PostingWriter
from crawler.items import JobPosting
from tests.crawl import ROOT

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def load(url: str) -> None:
    upgrade(url)
    writer = PostingWriter(get_engine(url))
    writer.write(
        [
            JobPosting(source="gupy", source_id="1", title="Desenvolvedor(a) Python Sênior", company="Ação & Cia",
                       workplace="remote", skills=["Python", "Django"], seniority=["senior"],
                       locations=[{"city": "São Paulo", "region": "SP", "country": "BR"}],
                       salary_min=9000.0, salary_max=12000.0, salary_currency="BRL", salary_period="MONTH",
                       description_text='Linha 1\nLinha 2, "aspas"', posted_at="2026-10-30T09:15:00Z"),
            JobPosting(source="gupy", source_id="2", title="Analista de Dados", workplace="onsite"),
            JobPosting(source="lever", source_id="a", title="Data Engineer", workplace="remote"),
            JobPosting(source="lever", source_id="closed", title="Gone", workplace="remote"),
        ],
        now=T0,
    )  # fmt: skip
    writer.write([JobPosting(source="lever", source_id="b", title="Later", workplace="remote")], now=T0 + timedelta(days=2))
    with get_engine(url).begin() as conn:
        conn.execute(update(postings).where(postings.c.source_id == "closed").values(closed_at=T0))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_exact_content_and_filters(db_url: str, tmp_path: Path, fmt: str) -> None:
    load(db_url)
    engine = get_engine(db_url)
    out = tmp_path / f"open.{fmt}"
    assert export(engine, "open_jobs", fmt, out) == 4
    rows = {r["source_id"]: r for r in rows_of(out, fmt)}
    assert set(rows) == {"1", "2", "a", "b"}  # the closed posting is not an open job
    one = rows["1"]
    assert one["title"] == "Desenvolvedor(a) Python Sênior" and one["company"] == "Ação & Cia"
    assert one["description_text"] == 'Linha 1\nLinha 2, "aspas"'
    if fmt == "jsonl":  # native JSON values
        assert one["skills"] == ["Python", "Django"] and one["salary_min"] == 9000.0
        assert one["locations"] == [{"city": "São Paulo", "region": "SP", "country": "BR"}]
        assert one["posted_at"] == "2026-10-30T09:15:00+00:00" and one["first_seen_at"] == "2026-11-01T12:00:00+00:00"
        assert rows["2"]["company"] is None and rows["2"]["skills"] == []
    elif fmt == "csv":  # JSON columns as JSON text, empty = NULL
        assert json.loads(one["skills"]) == ["Python", "Django"] and one["salary_min"] == "9000.0"
        assert json.loads(one["locations"])[0]["city"] == "São Paulo" and one["country"] == "BR"
        assert one["posted_at"] == "2026-10-30T09:15:00+00:00"
        assert rows["2"]["company"] == "" and rows["2"]["salary_min"] == ""
    else:  # typed columns, JSON as text
        assert json.loads(one["skills"]) == ["Python", "Django"] and one["salary_min"] == 9000.0
        assert one["posted_at"] == datetime(2026, 10, 30, 9, 15, tzinfo=UTC)
        assert rows["2"]["company"] is None and rows["2"]["posting_id"] > 0
        schema = pq.read_schema(out)
        assert str(schema.field("first_seen_at").type) == "timestamp[us, tz=UTC]"
        assert str(schema.field("job_id").type) == "int64" and str(schema.field("skills").type) == "string"
    # filters: source, workplace, first seen since
    filtered = tmp_path / f"f.{fmt}"
    assert export(engine, "open_jobs", fmt, filtered, ExportFilter(sources=["lever"], workplace="remote")) == 2
    assert export(engine, "postings", fmt, filtered, ExportFilter(sources=["lever"])) == 3  # the closed one too
    assert {r["source_id"] for r in rows_of(filtered, fmt)} == {"a", "b", "closed"}
    assert export(engine, "postings", fmt, filtered, ExportFilter(since=parse_since("2026-11-02"))) == 1
    assert [r["source_id"] for r in rows_of(filtered, fmt)] == ["b"]
    assert "dedupe_signature" not in next(iter(rows_of(filtered, fmt)))


def bulk_insert(url: str, n: int) -> None:
    """n postings of ~1.3 KB, inserted by the database itself (fast)."""
    upgrade(url)
    if get_engine(url).dialect.name == "postgresql":
        series = "generate_series(1, :n) AS s(i)"
        filler, skills, locations = "repeat('lorem ipsum ', 100)", "CAST(:skills AS jsonb)", "CAST(:locations AS jsonb)"
    else:
        series = "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) SELECT i FROM s) AS s"
        filler, skills, locations = "printf('%.1200c', 'x')", ":skills", ":locations"
    sql = (
        "INSERT INTO postings (source, source_id, title, company, description_text, skills, locations, "
        "workplace, salary_min, salary_currency, salary_period, first_seen_at, last_seen_at) "
        f"SELECT 'bulk', CAST(i AS TEXT), 'Title ' || i, 'Company ' || (i % 97), 'posting ' || i || ' ' || {filler}, "
        f"{skills}, {locations}, CASE WHEN i % 2 = 0 THEN 'remote' ELSE 'onsite' END, i, 'BRL', 'MONTH', :t, :t "
        f"FROM {series}"
    )
    params = {"n": n, "t": T0, "skills": '["Python", "SQL"]', "locations": '[{"country": "BR"}]'}
    with get_engine(url).begin() as conn:
        conn.execute(text(sql), params)


def test_20k_rows_stream_in_bounded_memory(db_url: str, tmp_path: Path) -> None:
    n = 20_000
    bulk_insert(db_url, n)
    engine = get_engine(db_url)
    out = tmp_path / "all.csv"
    tracemalloc.start()
    try:
        assert export(engine, "postings", "csv", out, batch_size=1000) == n
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = out.stat().st_size
    assert size > 25_000_000  # ~26 MB written ...
    assert peak < 8_000_000, f"peak {peak / 1e6:.1f} MB for {size / 1e6:.1f} MB of CSV"  # ... ~3-4 MB held at most
    with out.open(encoding="utf-8") as fh:
        header = fh.readline()
        first = fh.readline()
    assert header.startswith("id,source,source_id,") and first.startswith("1,bulk,1,")
    assert ",Title 1,Company 1,,posting 1 " in first and ',"[""Python"",""SQL""]",' in first
    count, last = 0, {}
    for count, last in enumerate(rows_of(out, "csv"), 1):  # noqa: B007
        pass
    assert count == n and last["source_id"] == str(n) and last["workplace"] == "remote"
    assert last["first_seen_at"] == "2026-11-01T12:00:00+00:00" and last["salary_min"] == f"{n}.0"


def test_export_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    load(url)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url}

    def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "scrapy", "export", *args]
        return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    out = tmp_path / "open.parquet"
    done = scrapy("--what", "open_jobs", "--source", "gupy,lever", "--workplace", "remote", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "open_jobs: 3 rows" in done.stderr and pq.read_table(out).num_rows == 3
    piped = scrapy("--format", "jsonl", "--what", "postings", "--since", "2026-11-02T00:00:00Z", "-o", "-")
    assert piped.returncode == 0, piped.stderr
    assert [json.loads(line)["source_id"] for line in piped.stdout.splitlines()] == ["b"]
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(ValueError, match="--since 'yesterday'"):
        parse_since("yesterday")
    assert parse_since("2026-11-02") == datetime(2026, 11, 2, tzinfo=UTC)
    assert parse_since("2026-11-02T03:00:00-03:00") == datetime(2026, 11, 2, 6, tzinfo=UTC)
