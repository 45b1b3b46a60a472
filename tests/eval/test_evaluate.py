"""The labelled evaluation set (tests/eval/postings.jsonl) and ``python -m crawler.evaluate``.

The set: real postings rebuilt from the recorded fixtures by the spiders' own parse code, each
labelled by hand (see tests/eval/README.md).  These tests fail when normalization falls below
the floors (95 % accuracy per single-valued field, skills F1 0.90) or when the set loses the
composition it was built with.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.evaluate import (
    ALL_FIELDS,
    DATASET,
    ROOT,
    SINGLE_FIELDS,
    below_floor,
    build_posting,
    evaluate,
    is_built,
    load_dataset,
    main,
)

MIN_ACCURACY = 0.95
MIN_SKILLS_F1 = 0.90
LABEL_KEYS = {
    "workplace", "remote_regions", "locations", "employment_type", "contract_type", "seniority",
    "experience_years_min", "experience_years_max", "salary_min", "salary_max", "salary_currency",
    "salary_period", "languages", "skills", "posted_at",
}  # fmt: skip


@pytest.fixture(scope="module")
def rows():
    return load_dataset()


@pytest.fixture(scope="module")
def report(rows):
    return evaluate(rows)


def test_composition(rows):
    assert len(rows) >= 150
    sources = {r["ref"]["source"] for r in rows}
    assert len(sources) >= 8
    assert sum(1 for r in rows if r["lang"] == "pt") >= 40
    assert any(r["ref"]["source"] == "jobfordev" and "seed" in r["ref"]["fixture"] for r in rows)  # the seed
    assert sum(1 for r in rows if r["ref"]["source"] == "linkedin") >= 10  # detail pages and search cards
    assert any("job_view_" in r["ref"]["fixture"] or "job_posting_api_" in r["ref"]["fixture"] for r in rows)
    # mostly recordings: built TESTDATA pages are a small minority
    assert sum(1 for r in rows if is_built(r["ref"])) <= 10


def test_rows_are_labels_not_copies(rows):
    refs = set()
    for row in rows:
        assert set(row) == {"ref", "lang", "expected"}
        assert set(row["expected"]) == LABEL_KEYS, row["ref"]
        ref = row["ref"]
        assert (ROOT / ref["fixture"]).is_file(), ref
        assert ("id" in ref) != ("index" in ref), ref
        key = json.dumps(ref, sort_keys=True)
        assert key not in refs, f"labelled twice: {ref}"
        refs.add(key)
        for loc in row["expected"]["locations"]:
            assert set(loc) == {"city", "country"}
        for lang in row["expected"]["languages"]:
            assert set(lang) == {"language", "level"}


def test_every_ref_resolves_through_its_spider(rows):
    for row in rows:
        item = build_posting(row["ref"])
        assert item.title, row["ref"]


def test_floors(report):
    failed = below_floor(report, MIN_ACCURACY, MIN_SKILLS_F1)
    table = {f: round(report.accuracy(f), 3) for f in SINGLE_FIELDS}
    assert failed == [], f"below the floor: {failed}; accuracy {table}; skills F1 {report.f1:.3f}"
    assert set(report.counted) == set(SINGLE_FIELDS)
    assert all(report.counted[f] == report.postings for f in SINGLE_FIELDS)


def test_command_line_exit_code_and_json(tmp_path: Path, capsys):
    # one posting with a deliberately wrong label: the floor fails, the miss is listed
    row = next(r for r in load_dataset() if r["ref"]["source"] == "jobfordev")
    wrong = json.loads(json.dumps(row))
    wrong["expected"]["salary_currency"] = "EUR"
    wrong["expected"]["skills"] = [*wrong["expected"]["skills"], "Kotlin"]
    dataset = tmp_path / "one.jsonl"
    dataset.write_text(json.dumps(wrong) + "\n", encoding="utf-8")
    assert main(["--dataset", str(dataset), "--json", "--speed-rounds", "0"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["postings"] == 1
    assert data["accuracy"]["salary_currency"] == 0.0
    assert data["below_floor"] == ["salary_currency"]  # one false negative of 20 skills keeps F1 above 0.9
    assert data["skills"]["fn"] == 1 and data["skills"]["fp"] == 0
    assert {"ref": "jobfordev:0", "field": "salary_currency", "expected": "EUR", "got": "USD"} in data[
        "misses"
    ]
    # the true label passes; --field limits the scoring
    dataset.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert (
        main(["--dataset", str(dataset), "--field", "salary_min", "--misses", "0", "--speed-rounds", "0"])
        == 0
    )
    out = capsys.readouterr().out
    assert "salary_min" in out and "workplace" not in out
    assert set(ALL_FIELDS) >= {"skills", "posted_at"}


def test_default_dataset_path():
    assert DATASET == ROOT / "tests" / "eval" / "postings.jsonl"
