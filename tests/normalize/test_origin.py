"""crawler.normalize.origin — republished postings."""

from __future__ import annotations

import pytest

from crawler.normalize.origin import Origin, detect_origin, linkedin_job_url, normalize_origin_name

LI = "https://www.linkedin.com/jobs/view/{}/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # seed (Job For Dev footer)
        (
            "Full-time, remote position.\nVaga originalmente publicada em: linkedin\n"
            "💼 Encontre as melhores oportunidades para desenvolvedores no Job For Dev",
            Origin("linkedin", None, None),
        ),
        # Himalayas footer (the same source: the caller ignores origin == source)
        ("please email .Originally posted on Himalayas", Origin("himalayas", None, None)),
        # hand-written variants in pt/es/en
        ("Vaga publicada originalmente no Indeed.", Origin("indeed", None, None)),
        ("Empleo publicado originalmente en InfoJobs", Origin("infojobs", None, None)),
        ("Originally posted on Glassdoor", Origin("glassdoor", None, None)),
        ("Source: LinkedIn", Origin("linkedin", None, None)),
        ("Fonte: Gupy", Origin("gupy", None, None)),
        ("Vaga originalmente publicada em: site da empresa", Origin("company", None, None)),
        ("Job (via LinkedIn)", Origin("linkedin", None, None)),
        # LinkedIn links: canonical, slug, country subdomain, currentJobId
        (
            "Vaga originalmente publicada em: linkedin https://br.linkedin.com/jobs/view/senior-backend-engineer-at-acme-4330361169?trk=x",
            Origin("linkedin", "4330361169", LI.format("4330361169")),
        ),
        (
            "Apply: https://www.linkedin.com/jobs/view/4424075463/",
            Origin("linkedin", "4424075463", LI.format("4424075463")),
        ),
        (
            "see it.linkedin.com/jobs/view/data-analyst-at-rai-radiotelevisione-italiana-3946498763",
            Origin("linkedin", "3946498763", LI.format("3946498763")),
        ),
        (
            "https://www.linkedin.com/jobs/search/?currentJobId=4218586823&geoId=1",
            Origin("linkedin", "4218586823", LI.format("4218586823")),
        ),
        (
            "https://www.indeed.com/viewjob?jk=0123abcd4567ef89",
            Origin("indeed", "0123abcd4567ef89", "https://www.indeed.com/viewjob?jk=0123abcd4567ef89"),
        ),
        # not an origin
        (
            'LaunchDarkly recruiters will only contact you from @launchdarkly.com email addresses or via LinkedIn from "Verified Recruiter" accounts.',
            Origin(None, None, None),
        ),
        ("Apply via LinkedIn.", Origin(None, None, None)),
        ("Follow us on https://www.linkedin.com/company/cohere-ai", Origin(None, None, None)),
        ("", Origin(None, None, None)),
    ],
)
def test_detect_origin(text, expected):
    assert detect_origin(text) == expected


def test_detect_origin_from_html_and_apply_url():
    html = '<p>Role.</p><a href="https://www.linkedin.com/jobs/view/3946498763">apply</a>'
    assert detect_origin("Role.", html) == Origin("linkedin", "3946498763", LI.format("3946498763"))
    assert detect_origin(None, None, ["https://ca.linkedin.com/jobs/view/4218586823"]) == Origin(
        "linkedin", "4218586823", LI.format("4218586823")
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("LinkedIn", "linkedin"), ("linkedin", "linkedin"), ("Indeed Brasil", "indeed"), ("Catho", "catho"),
     ("Site da empresa", "company"), ("Company website", "company"), ("www.glassdoor.com", "glassdoor"), ("Foo", None)],
)  # fmt: skip
def test_normalize_origin_name(name, expected):
    assert normalize_origin_name(name) == expected


def test_linkedin_job_url():
    assert linkedin_job_url(4330361169) == "https://www.linkedin.com/jobs/view/4330361169/"
