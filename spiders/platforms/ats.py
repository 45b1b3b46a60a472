"""What every ATS job-board platform shares (Greenhouse, Lever, ...): company lists as data.

``-a companies=slug,slug|Name`` (else the class's ``default_companies``, else
``spiders/data/{companies_file}``, one ``slug`` or ``slug | Name`` per line, ``#``
comments), JSON loading with logged/counted failures, 404 boards counted and skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response

from spiders.base import JobSpider, split_arg

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Board:
    slug: str
    name: str | None = None


def parse_board(entry: str) -> Board | None:
    """``"slug"`` or ``"slug | Display Name"``; ``#`` starts a comment."""
    entry = entry.split("#", 1)[0].strip()
    if not entry:
        return None
    slug, _, name = entry.partition("|")
    slug = slug.strip()
    return Board(slug, name.strip() or None) if slug else None


def parse_boards(entries: Iterable[str]) -> list[Board]:
    boards: dict[str, Board] = {}
    for entry in entries:
        board = parse_board(entry)
        if board is not None and board.slug not in boards:
            boards[board.slug] = board
    return list(boards.values())


def read_boards(path: Path) -> list[Board]:
    return parse_boards(path.read_text(encoding="utf-8").splitlines())


class AtsBoardSpider(JobSpider):
    """What every ATS-board platform shares (used by Greenhouse and Lever; no ``name``).

    ``-a companies=slug,slug|Name`` (else ``default_companies``, else
    ``spiders/data/{companies_file}``), the platform-wide base-URL setting,
    JSON loading with logged/counted failures and a logging errback.
    """

    #: board slugs of this source; empty = read ``companies_file``
    default_companies: ClassVar[Sequence[str]] = ()
    #: file in ``spiders/data/`` with one ``slug`` (or ``slug | Name``) per line
    companies_file: ClassVar[str | None] = None

    def __init__(self, *args: Any, companies: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.boards: list[Board] = self.resolve_boards(split_arg(companies))

    def resolve_boards(self, requested: list[str]) -> list[Board]:
        known = read_boards(DATA_DIR / self.companies_file) if self.companies_file else []
        if not requested:
            if not self.default_companies:
                return known
            requested = list(self.default_companies)
        names = {b.slug: b.name for b in known}
        return [Board(b.slug, b.name or names.get(b.slug)) for b in parse_boards(requested)]

    def board_not_found(self, response: Response, board: Board) -> bool:
        """True (after a warning and ``jobs/company_not_found``) for a 404 board."""
        if response.status != 404:
            return False
        self.logger.warning("%s board %r not found (404): %s", self.source_name, board.slug, response.url)
        self.count("company_not_found")
        return True

    async def start(self) -> AsyncIterator[Any]:
        if not self.boards:
            self.logger.error(
                "no %s companies: pass -a companies=slug,slug or fill spiders/data/%s",
                self.source_name,
                self.companies_file or "<platform>.txt",
            )
        for board in self.boards:
            yield self.board_request(board)

    def board_request(self, board: Board) -> scrapy.Request:
        """The first request of a board (404 is handled by ``parse_board``: ``board_not_found``)."""
        return scrapy.Request(
            self.board_url(board),
            callback=self.parse_board,
            errback=self.request_failed,
            cb_kwargs={"board": board},
            meta={"handle_httpstatus_list": [404]},
        )

    def board_url(self, board: Board) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define board_url() or board_request()")

    def parse_board(self, response: Response, board: Board) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define parse_board() or board_request()")
