"""A local Greenhouse-like API with many boards, built from the recorded gitlab board (test data).

``board_site(boards=200, jobs_per_board=5)`` serves ``/v1/boards/b<N>/jobs`` with
copies of the recorded jobs under new ids (1,000 postings by default), each
response after ``delay`` seconds so a crawl lasts long enough to be interrupted.
"""

from __future__ import annotations

import json
import time

from tests.mockserver import FIXTURES, MockServer, Request, Route

GITLAB = FIXTURES / "boards/greenhouse/greenhouse_board_jobs_gitlab_content_breteai.json"


def board_site(boards: int = 200, jobs_per_board: int = 5, delay: float = 0.02) -> MockServer:
    recorded = json.loads(GITLAB.read_text(encoding="utf-8"))["jobs"]

    def handler(req: Request) -> Route:
        parts = req.path.strip("/").split("/")  # v1 boards b<N> jobs
        if len(parts) != 4 or not parts[2].startswith("b") or not parts[2][1:].isdigit():
            return Route.text("not found", status=404, content_type="text/plain")
        n = int(parts[2][1:])
        if n >= boards:
            return Route.text('{"status":404}', status=404, content_type="application/json")
        jobs = [
            dict(
                recorded[k % len(recorded)],
                id=10_000_000 + n * 1000 + k,
                title=f"{recorded[k % len(recorded)]['title']} #{n}-{k}",
            )
            for k in range(jobs_per_board)
        ]
        time.sleep(delay)
        return Route.text(json.dumps({"jobs": jobs}), content_type="application/json")

    return MockServer(default=handler)


def companies(boards: int = 200) -> str:
    return ",".join(f"b{n}" for n in range(boards))
