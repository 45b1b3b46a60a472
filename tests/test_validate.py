"""The validate pipeline on items spiders should never produce (wrong types, NUL bytes, huge text)."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import JobPosting
from pipelines.validate import ValidatePipeline


@pytest.fixture
def pipeline() -> ValidatePipeline:
    crawler = get_crawler()
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return ValidatePipeline.from_crawler(crawler)


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (JobPosting(source="lever", source_id="1", title=None), "missing_title"),
        (JobPosting(source="lever", source_id="1", title="  \x00 "), "missing_title"),
        (JobPosting(source="lever", source_id=None, title="Dev"), "missing_source_id"),
        (JobPosting(source=None, source_id="1", title="Dev"), "missing_source"),
        (JobPosting(source="lever", source_id="1", title=12345), "invalid_title"),  # type: ignore[arg-type]
        (JobPosting(source="lever", source_id=["1"], title="Dev"), "invalid_source_id"),  # type: ignore[arg-type]
        ("not an item", "not_an_item"),
    ],
)
def test_drops_with_a_reason_and_a_stat(pipeline: ValidatePipeline, item: object, reason: str) -> None:
    with pytest.raises(DropItem, match=reason):
        pipeline.process_item(item)
    assert pipeline.stats is not None
    assert pipeline.stats.get_value(f"jobs/dropped/{reason}") == 1


def test_cleans_and_keeps_valid_items(pipeline: ValidatePipeline) -> None:
    item = JobPosting(
        source="gupy", source_id=123, title=" Dev\x00 Python ", description_html="x" * 2_000_000
    )  # type: ignore[arg-type]
    out = pipeline.process_item(item)
    assert out.source_id == "123" and out.title == "Dev Python"
    assert len(out.description_html) == 1_000_000
    assert pipeline.stats is not None and pipeline.stats.get_value("jobs/truncated/description_html") == 1


def test_dicts_become_postings(pipeline: ValidatePipeline) -> None:
    out = pipeline.process_item({"source": "x", "source_id": "1", "title": "T", "unknown_field": 1})
    assert isinstance(out, JobPosting) and out.title == "T"
