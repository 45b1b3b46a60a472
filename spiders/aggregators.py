"""One named spider per board configured in ``spiders/data/aggregators/*.json``.

``scrapy crawl jobfordev -a base_url=...`` is ``scrapy crawl aggregator -a board=jobfordev``;
adding a board is adding a JSON file (see :mod:`spiders.platforms.aggregator`).
"""

from __future__ import annotations

from spiders.platforms.aggregator import AggregatorSpider, BoardConfig, board_configs


def board_spider(config: BoardConfig) -> type[AggregatorSpider]:
    """A spider class named after the board, registered in this module for Scrapy's spider loader."""
    class_name = "".join(part.capitalize() for part in config.name.split("_")) + "Spider"
    cls = type(
        class_name,
        (AggregatorSpider,),
        {
            "name": config.name,
            "board": config,
            "__module__": __name__,
            "__doc__": config.title or config.name,
        },
    )
    globals()[class_name] = cls
    return cls


BOARD_SPIDERS: dict[str, type[AggregatorSpider]] = {cfg.name: board_spider(cfg) for cfg in board_configs()}
