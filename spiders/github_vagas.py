"""Brazilian job boards kept as GitHub issues: ``scrapy crawl github_vagas [-a repos=backend-br/vagas]``.

The default repositories are the lines of ``spiders/data/github_repos.txt``
(``backend-br/vagas``, ``frontendbr/vagas``): another board of this kind is one line
there.  ``-a state=all`` also reads closed issues; set ``GITHUB_TOKEN`` in the
environment for the authenticated rate limit.  See
:mod:`spiders.platforms.github_issues` for arguments, ids, mapping and rate limits.
"""

from __future__ import annotations

from typing import ClassVar

from spiders.platforms.github_issues import GithubIssuesSpider


class GithubVagasSpider(GithubIssuesSpider):
    name = "github_vagas"
    repos_file: ClassVar[str | None] = "github_repos.txt"
