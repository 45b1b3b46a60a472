"""The cross-source matcher's parts and its precision/recall on the labelled pairs."""

from __future__ import annotations

import json

from crawler.dedupe.evaluate import MIN_PRECISION, MIN_RECALL, evaluate
from crawler.dedupe.keys import canonical_url, norm_company, split_title
from crawler.dedupe.matcher import Batch, index_keys, profile, titles_agree, verify
from crawler.dedupe.pairs import PAIRS, load_pairs
from crawler.dedupe.signature import Signature, containment, jaccard, signatures

TEXT = " ".join(
    f"Sentence {n}: we build reliable backend services in Ruby and Go for customer {n * 7} teams."
    for n in range(40)
)


def test_signatures_ignore_formatting_and_see_edits() -> None:
    html_like = TEXT.upper().replace(". ", ".\n\n • ").replace(" ", "  ")
    edited = TEXT.replace("Sentence 3:", "").replace("customer 70", "clients")
    other = " ".join(f"Vaga {n}: cuidamos de pacientes no hospital {n}." for n in range(60))
    base, fmt, edit, unrelated, truncated, empty = signatures(
        [TEXT, html_like, edited, other, TEXT[:700], "  "]
    )
    assert base and fmt and edit and unrelated and truncated and empty is None
    assert jaccard(base, fmt) == 1.0 and base.bands == fmt.bands
    assert jaccard(base, edit) >= 0.7
    assert jaccard(base, unrelated) <= 0.1
    assert containment(base, truncated) >= 0.6 > jaccard(base, truncated)
    # a text's signature does not depend on the batch around it
    again = signatures(["x y z w v u t s r q", TEXT])[1]
    assert again is not None and again.bands == base.bands and (again.mins == base.mins).all()
    stored = Signature.from_bytes(base.to_bytes())
    assert stored is not None and jaccard(stored, base) == 1.0 and stored.size == base.size
    assert Signature.from_bytes(Signature.encode(None)) is None


def test_canonical_urls_drop_tracking_and_generic_pages() -> None:
    gh = canonical_url("https://job-boards.greenhouse.io/gitlab/jobs/8503792002")
    assert gh == canonical_url(
        "https://boards.greenhouse.io/gitlab/jobs/8503792002?gh_src=abc&utm_source=li#x"
    )
    assert canonical_url("https://jobs.lever.co/acme/123-abc/apply?lever-source=LinkedIn") == (
        "jobs.lever.co/acme/123-abc"
    )
    assert canonical_url("https://www.linkedin.com/jobs/view/42/?trk=public_jobs&refId=x") == (
        "linkedin.com/jobs/view/42"
    )
    assert canonical_url("https://acme.com/careers?gh_jid=55&utm_medium=y") == "acme.com/careers?gh_jid=55"
    for generic in (
        "https://acme.com/",
        "https://acme.com/careers",
        "https://acme.com/vagas/",
        "mailto:a@b.c",
    ):
        assert canonical_url(generic) is None


def test_titles_and_companies_normalize() -> None:
    assert split_title("Senior Backend Engineer") == split_title("Backend Engineer (Senior)")
    assert split_title("Desenvolvedor(a) Back-end Sênior - Remoto") == (
        "backend desenvolvedor",
        frozenset({"senior"}),
    )
    assert norm_company("GitLab Inc.") == norm_company("gitlab") == "gitlab"

    def p(title: str) -> object:
        return profile({"source": "x", "source_id": "1", "title": title, "company": "Acme"}, None)

    assert titles_agree(p("Senior Data Engineer"), p("Data Engineer (Sr.)"), 80)[0]  # type: ignore[arg-type]
    assert not titles_agree(p("Senior Data Engineer"), p("Junior Data Engineer"), 80)[0]  # type: ignore[arg-type]
    assert not titles_agree(p("Data Engineer #53"), p("Data Engineer #71"), 80)[0]  # type: ignore[arg-type]
    assert not titles_agree(p("Data Engineer PL/SR"), p("Data Engineer PL/Junior"), 80)[0]  # type: ignore[arg-type]


def test_verify_rules() -> None:
    sig = signatures([TEXT])[0]

    def p(**kw: object) -> object:
        fields = {"source": "a", "source_id": "1", "title": "Backend Engineer", "company": "Acme", **kw}
        return profile(fields, sig)

    base = p(locations=[{"city": "Berlin", "country": "DE"}])
    assert verify(base, p(source="b", company="ACME GmbH")) is not None  # type: ignore[arg-type]
    assert verify(base, p(company="Globex")) is None  # type: ignore[arg-type]
    assert verify(base, p(locations=[{"city": "Munich", "country": "DE"}])) is None  # type: ignore[arg-type]
    closed = p(closed_at="2026-01-10T00:00:00Z")
    assert verify(closed, p(posted_at="2026-03-01T00:00:00Z")) is None  # type: ignore[arg-type]  # re-opened
    assert verify(closed, p(posted_at="2026-01-01T00:00:00Z")) is not None  # type: ignore[arg-type]
    # no company: no near-duplicate keys at all (only URL keys)
    assert [b for b, _ in index_keys({"title": "x", "url": "https://a.b/jobs/1"}, sig)] == [100]
    batch = Batch([{"source": "a", "source_id": "1", "company": "Acme", "title": "T"}], [sig])
    assert len(batch.keys[0]) == 1 + 8


def test_pairs_file_has_enough_real_pairs_and_no_text() -> None:
    rows = load_pairs()
    labels = [r["label"] for r in rows]
    assert labels.count("same") >= 100 and labels.count("different") >= 100
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        for side in (r["a"], r["b"]):
            assert side["ref"]["fixture"].startswith("tests/fixtures/")
            assert all(len(json.dumps(step)) < 300 for step in side["recipe"])  # recipes, not texts
    assert PAIRS.name == "pairs.jsonl"


def test_precision_and_recall_on_the_labelled_pairs() -> None:
    report = evaluate()
    assert report.precision >= MIN_PRECISION and report.recall >= MIN_RECALL, report.summary()
