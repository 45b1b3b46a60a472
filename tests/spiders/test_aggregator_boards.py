"""The config-driven board platform (spiders/platforms/aggregator.py) and the shipped boards.

No page of Job For Dev was recorded: the pages below are built here, as test data.  The
seed posting's page is built from the real text in
``tests/fixtures/aggregators/jobfordev_rails_backend.txt`` (a copy of the project's seed,
see SOURCES.md there: first line = title, the rest = the description block, including
"Vaga originalmente publicada em: linkedin" and the site's footer line, which the
normalizers detect and strip).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from parsel import Selector

from spiders.platforms.aggregator import (
    BOARDS_DIR,
    BoardConfig,
    board_configs,
    extract_posting,
    parse_render,
    source_id_from_url,
)
from tests.crawl import run_crawl
from tests.mockserver import MockServer, Route

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "aggregators" / "jobfordev_rails_backend.txt"
ROBOTS = "User-agent: *\nDisallow: /vagas/privada\nAllow: /\n"


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def jobfordev_detail(title: str, description_lines: list[str], extra: str = "") -> str:
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in description_lines[1:])
    return f"""<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">
<title>{html.escape(title)} | Job For Dev</title></head><body>
<nav><a href="/">Início</a> <a href="/vagas">Vagas</a></nav>
<article class="job"><h1>{html.escape(title)}</h1>{extra}
<section class="job-description"><h2>{html.escape(description_lines[0])}</h2>
{paragraphs}
</section></article></body></html>"""


def jobfordev_listing(links: list[str], next_page: str | None) -> str:
    cards = "\n".join(f'<li class="job"><a href="{href}">vaga</a></li>' for href in links)
    nxt = f'<a rel="next" href="{next_page}">Próxima</a>' if next_page else ""
    return f"""<html><body><nav><a href="/vagas">Vagas</a><a href="/vagas/">Todas</a><a href="/sobre">Sobre</a></nav>
<ul>{cards}</ul><div class="pagination">{nxt}</div></body></html>"""


def test_shipped_board_configs_load() -> None:
    boards = {b.name: b for b in board_configs()}
    assert {"jobfordev", "remotar"} <= set(boards)
    assert boards["jobfordev"].render_js is None
    assert boards["remotar"].render_js == "listing" and boards["remotar"].renders("listing")
    assert not boards["remotar"].renders("detail")
    assert all(not b.verified for b in boards.values())  # no live page was available to check them
    assert (BOARDS_DIR / "jobfordev.json").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "link": "a"}, "fields.title"),
        ({"name": "x", "link": "a", "fields": {"title": "h1", "salery": ".s"}}, "unknown fields"),
        ({"name": "X Y", "link": "a", "fields": {"title": "h1"}}, "name"),
        ({"name": "x", "fields": {"title": "h1"}}, "'link' is required"),
        ({"name": "x", "link": "a", "fields": {"title": "h1"}, "colour": 1}, "unknown keys"),
        ({"name": "x", "link": "a", "fields": {"title": "h1"}, "render_js": "maybe"}, "render_js"),
    ],
)
def test_bad_board_config(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BoardConfig.from_dict(data)


def test_parse_render_and_ids() -> None:
    assert [parse_render(v) for v in (None, False, "0", True, "1", "listing", "detail")] == [
        None,
        None,
        None,
        "all",
        "all",
        "listing",
        "detail",
    ]
    assert (
        source_id_from_url("https://x.test/vagas/senior-rails-123/", r"/vagas/(?P<id>[^/?#]+)")
        == "senior-rails-123"
    )
    assert source_id_from_url("https://x.test/job/42-dev?utm=1", r"/job/(\d+)") == "42"
    assert source_id_from_url("https://x.test/v/abc/", None) == "abc"


def test_extract_seed_posting() -> None:
    lines = seed_lines()
    config = next(b for b in board_configs() if b.name == "jobfordev")
    page = jobfordev_detail(lines[0], lines[1:])
    fields = extract_posting(
        config,
        Selector(text=page),
        "https://jobfordev.test/vagas/senior-principal-backend-engineer-ruby-on-rails",
    )
    assert fields["title"] == "Senior / Principal Backend Engineer (Ruby on Rails)"
    assert fields["source_id"] == "senior-principal-backend-engineer-ruby-on-rails"
    # the whole description block, line by line, escapes and origin line included (normalizers clean it)
    assert fields["description_text"] == "\n".join(lines[1:])
    assert "Vaga originalmente publicada em: linkedin" in fields["description_text"]
    assert r"7\+ years" in fields["description_text"]
    assert fields["description_html"].startswith('<section class="job-description">')
    assert fields["company"] is None and fields["location_raw"] == []  # not on the page: not guessed


def test_jsonld_fills_missing_fields() -> None:
    config = BoardConfig.from_dict({"name": "b", "link": "a", "fields": {"title": "h1", "company": ".co"}})
    page = """<html><head><script type="application/ld+json">{"@context": "https://schema.org",
      "@type": "JobPosting", "title": "T", "datePosted": "2025-01-02",
      "hiringOrganization": {"@type": "Organization", "name": "Acme"},
      "jobLocation": {"@type": "Place", "address": {"addressLocality": "Recife", "addressCountry": "BR"}}}
    </script></head><body><h1>Page title</h1></body></html>"""
    fields = extract_posting(config, Selector(text=page), "https://b.test/job/9")
    assert fields["title"] == "Page title"  # the page's own value wins
    assert fields["company"] == "Acme" and fields["posted_raw"] == "2025-01-02"
    assert fields["location_raw"] and "Recife" in fields["location_raw"][0]
    assert fields["raw"]["jsonld"]["@type"] == "JobPosting"


def test_jobfordev_board_end_to_end(tmp_path: Path) -> None:
    lines = seed_lines()
    seed_slug = "senior-principal-backend-engineer-ruby-on-rails"
    other = jobfordev_detail(
        "Desenvolvedor Python Pleno",
        ["Descrição da Vaga", "Vaga para time de dados.", "Vaga originalmente publicada em: linkedin"],
        extra=(
            '<div class="job-company">Acme Tecnologia</div><div class="job-location">São Paulo, SP</div>'
            '<time datetime="2025-11-20">há 2 dias</time>'
            '<ul class="job-tags"><li>Python</li><li>Django</li></ul>'
            '<a class="apply-button" href="https://www.linkedin.com/jobs/view/4330361169/">Candidatar-se</a>'
        ),
    )
    routes = {
        "/robots.txt": Route.text(ROBOTS, content_type="text/plain"),
        "/vagas": Route.text(
            jobfordev_listing(
                [f"/vagas/{seed_slug}", "/vagas/dev-python-pleno-77", "/vagas/privada"], "/vagas?page=2"
            )
        ),
        "/vagas?page=2": Route.text(
            jobfordev_listing(["/vagas/dev-python-pleno-77", "/vagas/qa-junior-5"], None)
        ),
        f"/vagas/{seed_slug}": Route.text(jobfordev_detail(lines[0], lines[1:])),
        "/vagas/dev-python-pleno-77": Route.text(other),
        "/vagas/qa-junior-5": Route.text(jobfordev_detail("QA Júnior", ["Descrição da Vaga", "Testes."])),
        "/vagas/privada": Route.text(jobfordev_detail("Privada", ["x", "y"])),
    }
    with MockServer(routes) as srv:
        base_url = srv.base_url
        result = run_crawl(
            "jobfordev",
            args={"base_url": srv.base_url},
            settings={
                "ITEM_PIPELINES": "{}",
                "STORE_ENABLED": "0",
                "DOWNLOAD_DELAY": "0",
                "AUTOTHROTTLE_START_DELAY": "0",
            },
            output=tmp_path / "jobfordev.jsonl",
        )
        paths = srv.paths()
    assert result.returncode == 0, result.log[-3000:]
    assert paths[0] == "/robots.txt"  # ROBOTSTXT_OBEY
    assert "/vagas/privada" not in paths  # disallowed by robots.txt
    assert "/sobre" not in paths and paths.count("/vagas/dev-python-pleno-77") == 1
    items = {i["source_id"]: i for i in result.items}
    assert sorted(items) == sorted([seed_slug, "dev-python-pleno-77", "qa-junior-5"])
    seed = items[seed_slug]
    assert seed["source"] == "jobfordev"
    assert seed["url"] == f"{base_url}/vagas/{seed_slug}"
    assert seed["title"] == lines[0]
    assert seed["description_text"] == "\n".join(lines[1:])
    assert seed["origin"] is None  # origin detection is the normalizers' job
    py = items["dev-python-pleno-77"]
    assert (py["company"], py["location_raw"], py["posted_raw"]) == (
        "Acme Tecnologia",
        ["São Paulo, SP"],
        "2025-11-20",
    )
    assert py["apply_url"] == "https://www.linkedin.com/jobs/view/4330361169/"
    assert py["tags"] == ["Python", "Django"]
    assert re.search(r"'jobs/aggregator/links': 5", result.log)


def test_board_needs_a_base_url(tmp_path: Path) -> None:
    result = run_crawl(
        "jobfordev", settings={"ITEM_PIPELINES": "{}", "STORE_ENABLED": "0"}, output=tmp_path / "x.jsonl"
    )
    assert "no default base URL" in result.log and result.items == []


def test_generic_aggregator_spider_with_a_config_file(tmp_path: Path) -> None:
    config = tmp_path / "board.json"
    config.write_text(
        '{"name": "miniboard", "link": "xpath://a[@class=\'j\']", "fields": {"title": "h1", "location": ".loc"},'
        ' "id_pattern": "/j/(?P<id>\\\\d+)"}',
        encoding="utf-8",
    )
    routes = {
        "/robots.txt": Route.text("User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/": Route.text(
            '<a class="j" href="/j/1">1</a><a class="j" href="/j/2#top">2</a><a href="/j/3">x</a>'
        ),
        "/j/1": Route.text("<h1>Um</h1><span class=loc>Recife</span><span class=loc>Remoto</span>"),
        "/j/2": Route.text("<h1>Dois</h1>"),
    }
    with MockServer(routes) as srv:
        result = run_crawl(
            "aggregator",
            args={"config": str(config), "base_url": srv.base_url},
            settings={"ITEM_PIPELINES": "{}", "STORE_ENABLED": "0", "DOWNLOAD_DELAY": "0"},
            output=tmp_path / "mini.jsonl",
        )
    assert result.returncode == 0, result.log[-3000:]
    items = {i["source_id"]: i for i in result.items}
    assert sorted(items) == ["1", "2"]
    assert items["1"]["source"] == "miniboard" and items["1"]["location_raw"] == ["Recife", "Remoto"]
