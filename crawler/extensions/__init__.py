"""Operations extensions (one per module): run checks and coverage (``monitor``), progress logging
(``progress``), and the Redis frontier's close-when-idle (``frontier``)."""
