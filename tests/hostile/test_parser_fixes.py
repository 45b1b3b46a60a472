"""Regression tests for the crashes the hostile corpus found in spiders and ``crawler/structured.py``.

Each one was an exception that escaped a callback and lost the whole response (every posting on
it), or a hang that blocked the reactor: the input is given here in its smallest form.
"""

from __future__ import annotations

import json
import time

import pytest
from parsel import Selector
from scrapy.http import Response, TextResponse

from crawler.structured import format_salary, loads_json, loads_jsonld, positive_number, unescape_html_once
from spiders.linkedin import LinkedInSpider
from spiders.platforms.aggregator import node_text, select_links
from spiders.platforms.greenhouse import _cents
from spiders.platforms.lever import epoch_ms_iso
from spiders.platforms.linkedin import Card, parse_cards, parse_detail
from tests.spiders import make_spider, stats

DEEP = b"[" * 10_000 + b"]" * 10_000


def test_json_nested_deeper_than_python_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        loads_json(DEEP)
    with pytest.raises(ValueError):
        loads_jsonld('{"@graph":' * 10_000 + "1" + "}" * 10_000)


@pytest.mark.parametrize(
    "body",
    [b'{"t": "a\\udc00b", "\\ud800k": ["\\ud83d"]}', b'{"t": "a\xed\xb0\x80b", "\xed\xa0\x80k": ["\xed\xa0\xbd"]}'],
)
def test_lone_surrogates_become_replacement_characters(body: bytes) -> None:
    data = loads_json(body)
    assert data == {"t": "a\ufffdb", "\ufffdk": ["\ufffd"]}
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # encodable now


def test_valid_surrogate_pairs_and_plain_json_are_untouched() -> None:
    assert loads_json(b'{"e": "\\ud83e\\udd80 ok"}') == {"e": "🦀 ok"}
    assert loads_json('{"n": 1.5, "l": [null, true]}') == {"n": 1.5, "l": [None, True]}


@pytest.mark.parametrize("value", [10**400, -(10**400), float("inf"), float("nan"), "1e999", "-1", 0, True])
def test_positive_number_refuses_what_is_not_a_positive_finite_number(value: object) -> None:
    assert positive_number(value) is None


def test_helpers_survive_non_finite_and_wrong_types() -> None:
    assert format_salary(float("inf"), None, "USD") == "USD inf"
    assert unescape_html_once(["<p>list</p>"]) is None  # type: ignore[arg-type]
    assert _cents(10**400) is None and _cents("1e999") is None and _cents(float("nan")) is None
    assert epoch_ms_iso(1e308) is None and epoch_ms_iso(float("nan")) is None and epoch_ms_iso(-(10**30)) is None


def test_linkedin_parsers_never_treat_html_as_json() -> None:
    # parsel picks a JSON selector for text that parses as JSON; CSS on it raised ValueError
    assert parse_cards('{"jobs": []}') == [] and parse_cards("[" * 5000) == []
    assert parse_detail("[]").empty


def test_linkedin_binary_responses_are_logged_and_counted() -> None:
    spider = make_spider(LinkedInSpider, keywords="python", refresh="1", settings={"LINKEDIN_STATE_DIR": ""})
    url = "https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/1"
    binary = Response(url, body=b"\x89PNG\x00\x00")
    assert list(spider.parse_search(binary, start=0)) == []
    (fallback,) = spider.parse_detail(binary, Card(job_id="1"), fallback=False)  # empty detail: try the view page
    assert "/jobs/view/1/" in fallback.url
    assert stats(spider)["linkedin/not_text"] == 2


def test_aggregator_links_that_are_not_urls_are_skipped() -> None:
    page = Selector(text='<a class="j" href="http://[::1">bad</a><a class="j" href="/vagas/ok">ok</a>')
    assert select_links(page, "a.j", "https://board.example/") == ["https://board.example/vagas/ok"]
    shouting = Selector(text='<a class="j" href=" JAVASCRIPT:alert(1)//vagas/x">x</a>')
    assert select_links(shouting, "a.j", "https://board.example/") == []


def test_aggregator_text_extraction_is_linear() -> None:
    """``.//text()[predicate]`` is quadratic in libxml2: 40,000 paragraphs took minutes, now about a second."""
    body = "<section>" + "<p>lorem <b>ipsum</b> dolor</p><script>x</script>" * 40_000 + "</section>"
    node = Selector(text=body, type="html").css("section")[0]
    started = time.perf_counter()
    text = node_text(node, keep_lines=True)
    assert time.perf_counter() - started < 20
    assert text is not None and text.count("lorem") == 40_000 and "x" not in text.replace("lorem", "")


def test_aggregator_non_text_responses_are_logged_and_counted() -> None:
    from spiders.platforms.aggregator import AggregatorSpider

    spider = make_spider(AggregatorSpider, board="jobfordev", base_url="https://board.example")
    binary = Response("https://board.example/vagas", body=b"\x00\x01")
    assert list(spider.parse_listing(binary, page=1)) == [] and list(spider.parse_posting(binary)) == []
    assert stats(spider)["jobs/parse_error/not_text"] == 2
    json_page = TextResponse("https://board.example/vagas", body=b'{"a": 1}', encoding="utf-8")
    assert list(spider.parse_listing(json_page, page=1)) == []  # read as (empty) HTML, no ValueError
