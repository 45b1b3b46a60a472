"""Golden test: the posting this project started from must normalize to expected.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.items import JobPosting
from crawler.normalize.posting import normalize_posting

SEED = Path(__file__).parent / "fixtures" / "seed"
EXPECTED = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
NOW = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)

EXACT_FIELDS = [
    "title",
    "origin",
    "workplace",
    "remote_regions",
    "seniority",
    "employment_type",
    "experience_years_min",
    "experience_years_max",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "languages",
]


@pytest.fixture(scope="module")
def seed_item() -> tuple[JobPosting, list[str]]:
    text = (SEED / EXPECTED["file"]).read_text(encoding="utf-8")
    title, _, rest = text.partition("\n")
    item = JobPosting(source="jobfordev", title=title, description_text=rest)
    problems = normalize_posting(item, now=NOW)
    return item, problems


@pytest.mark.parametrize("field", EXACT_FIELDS)
def test_seed_field(seed_item, field):
    item, _ = seed_item
    assert getattr(item, field) == EXPECTED[field]


def test_seed_every_expected_key_is_checked():
    meta = {"about", "file", "skills_include", "description_text_excludes"}
    assert set(EXPECTED) - meta == set(EXACT_FIELDS)


@pytest.mark.parametrize("skill", EXPECTED["skills_include"])
def test_seed_skills_include(seed_item, skill):
    item, _ = seed_item
    assert skill in item.skills


@pytest.mark.parametrize("fragment", EXPECTED["description_text_excludes"])
def test_seed_description_excludes(seed_item, fragment):
    item, _ = seed_item
    assert item.description_text
    assert fragment not in item.description_text


def test_seed_no_problems_and_hash(seed_item):
    item, problems = seed_item
    assert problems == []
    assert item.content_hash and len(item.content_hash) == 64
    # the aggregator heading is gone, the content starts with the first real line
    assert item.description_text.startswith("Location: Latin America (Remote)")


def test_seed_is_idempotent(seed_item):
    item, _ = seed_item
    again = JobPosting(**{k: v for k, v in item.__dict__.items()})
    normalize_posting(again, now=NOW)
    assert again.content_hash == item.content_hash
    assert again.seniority == item.seniority and again.skills == item.skills
