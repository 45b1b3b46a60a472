"""The SQL of migration 0003 (``posting_changes`` trigger and the analysts' views), frozen.

Migration ``0003_history_views`` executes exactly these statements; a later change of a
view or of the trigger goes into a new module (``sql_0004.py``) and a new migration that
drops and recreates what changed, so that replaying old migrations always builds the same
schema.  Two dialects: PostgreSQL (production) and SQLite (the embedded default); both
give the same numbers (the SQLite percentiles are PostgreSQL's ``percentile_cont``,
linear interpolation between the closest ranks, written with window functions).

A posting is *open* when ``closed_at IS NULL`` and it has not expired
(``valid_through`` is empty or not past).  Its *opened* time is the earlier of the
source's ``posted_at`` and our ``first_seen_at``.

SQLite note for later migrations: a ``batch_alter_table("postings")`` recreates the table,
and SQLite refuses to rename a table while a view refers to a missing one; such a
migration drops the views and the trigger first (:data:`DROP`) and recreates them after.
"""

from __future__ import annotations

from typing import Final

#: views in creation order (drop in reverse: salary_stats reads open_jobs)
VIEW_NAMES: Final = (
    "open_jobs",
    "jobs_best",
    "jobs_per_day",
    "salary_stats",
    "top_skills_by_month",
    "time_to_close",
)
TRIGGER = "postings_record_changes"

#: posting columns whose old and new values go to ``posting_changes`` when ``content_hash``
#: changes: the fields of the content hash (crawler/normalize/posting.py CONTENT_HASH_FIELDS
#: as of this revision) plus url, posted_at and salary_raw.  (name, kind)
CHANGE_FIELDS: Final = (
    ("title", "text"), ("company", "text"), ("company_url", "text"), ("url", "text"),
    ("apply_url", "text"), ("origin", "text"), ("origin_id", "text"),
    ("description_text", "text"), ("locations", "json"), ("remote_regions", "json"),
    ("workplace", "text"), ("employment_type", "text"), ("contract_type", "text"),
    ("seniority", "json"), ("experience_years_min", "number"), ("experience_years_max", "number"),
    ("salary_min", "number"), ("salary_max", "number"), ("salary_currency", "text"),
    ("salary_period", "text"), ("salary_raw", "text"), ("languages", "json"), ("skills", "json"),
    ("posted_at", "text"), ("valid_through", "text"),
)  # fmt: skip

#: salary period -> yearly multiplier (HOUR: 40 h x 52 weeks; DAY: 5 days x 52 weeks)
ANNUAL_FACTOR_SQL: Final = (
    "CASE {p} WHEN 'HOUR' THEN 2080 WHEN 'DAY' THEN 260 WHEN 'WEEK' THEN 52 "
    "WHEN 'MONTH' THEN 12 WHEN 'YEAR' THEN 1 END"
)


# --- posting_changes trigger --------------------------------------------------------------------


def _pg_trigger() -> list[str]:
    values = ",\n      ".join(f"('{f}', to_jsonb(OLD.{f}), to_jsonb(NEW.{f}))" for f, _ in CHANGE_FIELDS)
    return [
        f"""CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO posting_changes (posting_id, changed_at, run_id, field, old_value, new_value)
  SELECT NEW.id, NEW.last_seen_at, NEW.last_run_id, c.field, c.old_value, c.new_value
  FROM (VALUES
      {values}
  ) AS c(field, old_value, new_value)
  WHERE c.old_value IS DISTINCT FROM c.new_value;
  RETURN NULL;
END
$fn$""",
        f"""CREATE TRIGGER {TRIGGER} AFTER UPDATE ON postings FOR EACH ROW
WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash)
EXECUTE FUNCTION {TRIGGER}()""",
    ]


def _sqlite_value(side: str, field: str, kind: str) -> str:
    col = f"{side}.{field}"
    if kind == "json":
        return f"json({col})"  # NULL stays NULL
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE json_quote({col}) END"


def _sqlite_trigger() -> list[str]:
    rows = "\n      UNION ALL ".join(
        f"SELECT '{f}' AS field, {_sqlite_value('OLD', f, k)} AS old_value, "
        f"{_sqlite_value('NEW', f, k)} AS new_value WHERE OLD.{f} IS NOT NEW.{f}"
        for f, k in CHANGE_FIELDS
    )
    return [
        f"""CREATE TRIGGER {TRIGGER} AFTER UPDATE ON postings FOR EACH ROW
WHEN OLD.content_hash IS NOT NEW.content_hash
BEGIN
  INSERT INTO posting_changes (posting_id, changed_at, run_id, field, old_value, new_value)
  SELECT NEW.id, NEW.last_seen_at, NEW.last_run_id, c.field, c.old_value, c.new_value
  FROM (
      {rows}
  ) AS c;
END"""
    ]


# --- views ---------------------------------------------------------------------------------------

_OPEN_JOBS = """CREATE VIEW open_jobs AS
SELECT p.id AS posting_id, p.job_id, p.source, p.source_id, p.title, p.company, p.url, p.apply_url,
       p.workplace, p.employment_type, p.contract_type, p.seniority, p.locations, p.remote_regions,
       {first_country} AS country,
       p.salary_min, p.salary_max, p.salary_currency, p.salary_period, p.skills, p.languages,
       p.experience_years_min, p.experience_years_max, p.description_text,
       p.posted_at, p.valid_through, p.first_seen_at, p.last_seen_at
FROM postings p
WHERE p.closed_at IS NULL AND (p.valid_through IS NULL OR p.valid_through >= {now})"""

_JOBS_BEST = """CREATE VIEW jobs_best AS
WITH ranked AS (
  SELECT p.*,
         {is_open} AS is_open,
         CASE WHEN p.salary_currency IS NOT NULL AND p.salary_period IS NOT NULL
               AND COALESCE(p.salary_min, p.salary_max) IS NOT NULL THEN 1 ELSE 0 END AS has_salary,
         row_number() OVER (PARTITION BY p.job_id ORDER BY
             CASE WHEN p.salary_currency IS NULL OR p.salary_period IS NULL THEN 2
                  WHEN p.salary_min IS NOT NULL AND p.salary_max IS NOT NULL THEN 0
                  WHEN COALESCE(p.salary_min, p.salary_max) IS NOT NULL THEN 1 ELSE 2 END,
             p.first_seen_at, p.id) AS salary_rank,
         row_number() OVER (PARTITION BY p.job_id ORDER BY
             CASE WHEN p.workplace IS NULL THEN 1 ELSE 0 END, p.first_seen_at, p.id) AS workplace_rank,
         row_number() OVER (PARTITION BY p.job_id ORDER BY
             CASE WHEN p.employment_type IS NULL THEN 1 ELSE 0 END, p.first_seen_at, p.id) AS type_rank,
         row_number() OVER (PARTITION BY p.job_id ORDER BY p.first_seen_at, p.id) AS age_rank
  FROM postings p
  WHERE p.job_id IS NOT NULL
)
SELECT r.job_id,
       COALESCE(max(CASE WHEN r.age_rank = 1 THEN r.title END), j.title) AS title,
       COALESCE(max(CASE WHEN r.age_rank = 1 THEN r.company END), j.company) AS company,
       max(CASE WHEN r.workplace_rank = 1 THEN r.workplace END) AS workplace,
       max(CASE WHEN r.type_rank = 1 THEN r.employment_type END) AS employment_type,
       max(CASE WHEN r.salary_rank = 1 AND r.has_salary = 1 THEN r.salary_min END) AS salary_min,
       max(CASE WHEN r.salary_rank = 1 AND r.has_salary = 1 THEN r.salary_max END) AS salary_max,
       max(CASE WHEN r.salary_rank = 1 AND r.has_salary = 1 THEN r.salary_currency END) AS salary_currency,
       max(CASE WHEN r.salary_rank = 1 AND r.has_salary = 1 THEN r.salary_period END) AS salary_period,
       max(CASE WHEN r.salary_rank = 1 AND r.has_salary = 1 THEN r.source END) AS salary_source,
       min(r.posted_at) AS posted_at,
       min(r.first_seen_at) AS first_seen_at,
       max(r.last_seen_at) AS last_seen_at,
       {any_open} AS is_open,
       CASE WHEN {any_open} THEN NULL ELSE max(COALESCE(r.closed_at, r.valid_through)) END AS closed_at,
       count(*) AS n_postings,
       {sources} AS sources,
       {urls} AS urls
FROM ranked r
JOIN jobs j ON j.id = r.job_id
GROUP BY r.job_id, j.title, j.company"""

_JOBS_PER_DAY = """CREATE VIEW jobs_per_day AS
SELECT e.day, e.source, sum(e.opened) AS new_postings, sum(e.closed) AS closed_postings
FROM (
  SELECT {first_day} AS day, p.source, 1 AS opened, 0 AS closed FROM postings p
  UNION ALL
  SELECT {closed_day} AS day, p.source, 0 AS opened, 1 AS closed FROM postings p WHERE p.closed_at IS NOT NULL
) e
GROUP BY e.day, e.source"""

#: comparable rows: one open posting per job with a salary amount, currency and period
_SALARY_FACETS = """WITH paid AS (
  SELECT o.posting_id, o.skills, o.seniority, o.locations, o.workplace, o.salary_currency, o.salary_period,
         COALESCE((o.salary_min + o.salary_max) / 2, o.salary_min, o.salary_max) AS amount
  FROM (
    SELECT v.*, row_number() OVER (PARTITION BY COALESCE(v.job_id, -v.posting_id) ORDER BY v.posting_id) AS nth
    FROM open_jobs v
    WHERE v.salary_currency IS NOT NULL AND v.salary_period IS NOT NULL
      AND COALESCE(v.salary_min, v.salary_max) IS NOT NULL
  ) o
  WHERE o.nth = 1
),
facets AS (
  SELECT 'all' AS dimension, 'all' AS value, a.posting_id, a.salary_currency, a.salary_period, a.amount
  FROM paid a
  UNION
  SELECT 'skill', s.value, a.posting_id, a.salary_currency, a.salary_period, a.amount
  FROM paid a {skills}
  UNION
  SELECT 'seniority', s.value, a.posting_id, a.salary_currency, a.salary_period, a.amount
  FROM paid a {seniority}
  UNION
  SELECT 'country', {country}, a.posting_id, a.salary_currency, a.salary_period, a.amount
  FROM paid a {locations} WHERE {country_ok}
  UNION
  SELECT 'workplace', a.workplace, a.posting_id, a.salary_currency, a.salary_period, a.amount
  FROM paid a WHERE a.workplace IS NOT NULL
)"""

_SALARY_OUTER = """CREATE VIEW salary_stats AS
SELECT s.dimension, s.value, s.salary_currency, s.salary_period, s.n, s.p25, s.median, s.p75,
       s.min_amount, s.max_amount,
       s.median * {factor} AS annualized,
       s.p25 * {factor} AS annualized_p25,
       s.p75 * {factor} AS annualized_p75
FROM (
{inner}
) s"""

_PG_SALARY_INNER = """{facets}
SELECT f.dimension, f.value, f.salary_currency, f.salary_period, count(*) AS n,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY f.amount) AS p25,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.amount) AS median,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY f.amount) AS p75,
       min(f.amount) AS min_amount, max(f.amount) AS max_amount
FROM facets f
GROUP BY f.dimension, f.value, f.salary_currency, f.salary_period"""

_SQLITE_SALARY_INNER = """{facets},
ranked AS (
  SELECT f.*,
         row_number() OVER (PARTITION BY f.dimension, f.value, f.salary_currency, f.salary_period
                            ORDER BY f.amount) AS rn,
         count(*) OVER (PARTITION BY f.dimension, f.value, f.salary_currency, f.salary_period) AS cnt
  FROM facets f
)
SELECT r.dimension, r.value, r.salary_currency, r.salary_period, count(*) AS n,
       {p25} AS p25, {p50} AS median, {p75} AS p75,
       min(r.amount) AS min_amount, max(r.amount) AS max_amount
FROM ranked r
GROUP BY r.dimension, r.value, r.salary_currency, r.salary_period"""

_TOP_SKILLS = """CREATE VIEW top_skills_by_month AS
SELECT t.month, t.skill, t.postings, t.jobs,
       rank() OVER (PARTITION BY t.month ORDER BY t.jobs DESC) AS rank
FROM (
  SELECT {month} AS month, s.value AS skill,
         count(DISTINCT p.id) AS postings, count(DISTINCT COALESCE(p.job_id, -p.id)) AS jobs
  FROM postings p {skills}
  GROUP BY {month}, s.value
) t"""

_PG_TIME_TO_CLOSE = """CREATE VIEW time_to_close AS
WITH closed AS (
  SELECT p.source,
         GREATEST(0, EXTRACT(EPOCH FROM (p.closed_at - LEAST(p.posted_at, p.first_seen_at))))::float8
           / 86400.0 AS days
  FROM postings p
  WHERE p.closed_at IS NOT NULL
)
SELECT c.source, count(*) AS closed, avg(c.days) AS avg_days,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY c.days) AS p25_days,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY c.days) AS median_days,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY c.days) AS p75_days,
       max(c.days) AS max_days
FROM closed c
GROUP BY c.source"""

_SQLITE_TIME_TO_CLOSE = """CREATE VIEW time_to_close AS
WITH closed AS (
  SELECT p.source,
         max(0.0, julianday(p.closed_at)
                  - julianday(min(COALESCE(p.posted_at, p.first_seen_at), p.first_seen_at))) AS days
  FROM postings p
  WHERE p.closed_at IS NOT NULL
),
ranked AS (
  SELECT c.*, row_number() OVER (PARTITION BY c.source ORDER BY c.days) AS rn,
         count(*) OVER (PARTITION BY c.source) AS cnt
  FROM closed c
)
SELECT r.source, count(*) AS closed, avg(r.days) AS avg_days,
       {p25} AS p25_days, {p50} AS median_days, {p75} AS p75_days, max(r.days) AS max_days
FROM ranked r
GROUP BY r.source"""


def sqlite_percentile(p: float, value: str = "r.amount", rank: str = "r.rn", count: str = "r.cnt") -> str:
    """PostgreSQL's ``percentile_cont(p)`` over a group, from ``row_number()`` (``rank``) and the
    group's size (``count``): the value at position ``1 + p·(n−1)``, interpolated linearly."""
    pos = f"(1 + {p} * ({count} - 1))"
    lo = f"CAST({pos} AS INTEGER)"
    at_lo = f"max(CASE WHEN {rank} = {lo} THEN {value} END)"
    at_hi = f"max(CASE WHEN {rank} = {lo} + 1 THEN {value} END)"
    return f"({at_lo} + ({pos} - {lo}) * (COALESCE({at_hi}, {at_lo}) - {at_lo}))"


def _views(dialect: str) -> list[str]:
    pg = dialect == "postgresql"
    now = "now()" if pg else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    is_open = f"(p.closed_at IS NULL AND (p.valid_through IS NULL OR p.valid_through >= {now}))"
    if pg:
        skills = (
            "CROSS JOIN LATERAL jsonb_array_elements_text("
            "CASE WHEN jsonb_typeof({t}.{c}) = 'array' THEN {t}.{c} END) AS s(value)"
        )
        locations = (
            "CROSS JOIN LATERAL jsonb_array_elements("
            "CASE WHEN jsonb_typeof(a.locations) = 'array' THEN a.locations END) AS l(value)"
        )
        country, country_ok = (
            "l.value ->> 'country'",
            "jsonb_typeof(l.value) = 'object' AND l.value ->> 'country' IS NOT NULL",
        )
        first_country = "p.locations -> 0 ->> 'country'"
        day = "(p.{c} AT TIME ZONE 'UTC')::date"
        month = "to_char(LEAST(p.posted_at, p.first_seen_at) AT TIME ZONE 'UTC', 'YYYY-MM')"
        any_open = "bool_or(r.is_open)"
        sources = "jsonb_agg(DISTINCT r.source)"
        urls = "COALESCE(jsonb_agg(r.url ORDER BY r.age_rank) FILTER (WHERE r.url IS NOT NULL), '[]'::jsonb)"
    else:
        skills = "JOIN json_each(CASE WHEN json_type({t}.{c}) = 'array' THEN {t}.{c} END) AS s"
        locations = "JOIN json_each(CASE WHEN json_type(a.locations) = 'array' THEN a.locations END) AS l"
        country = "json_extract(l.value, '$.country')"
        country_ok = "l.type = 'object' AND json_extract(l.value, '$.country') IS NOT NULL"
        first_country = "json_extract(p.locations, '$[0].country')"
        day = "date(p.{c})"
        month = "strftime('%Y-%m', min(COALESCE(p.posted_at, p.first_seen_at), p.first_seen_at))"
        any_open = "max(r.is_open)"
        sources = "json_group_array(DISTINCT r.source)"
        urls = "json_group_array(r.url) FILTER (WHERE r.url IS NOT NULL)"
    facets = _SALARY_FACETS.format(
        skills=skills.format(t="a", c="skills"),
        seniority=skills.format(t="a", c="seniority"),
        locations=locations,
        country=country,
        country_ok=country_ok,
    )
    if pg:
        salary_inner = _PG_SALARY_INNER.format(facets=facets)
        time_to_close = _PG_TIME_TO_CLOSE
    else:
        salary_inner = _SQLITE_SALARY_INNER.format(
            facets=facets,
            p25=sqlite_percentile(0.25),
            p50=sqlite_percentile(0.5),
            p75=sqlite_percentile(0.75),
        )
        time_to_close = _SQLITE_TIME_TO_CLOSE.format(
            p25=sqlite_percentile(0.25, "r.days"),
            p50=sqlite_percentile(0.5, "r.days"),
            p75=sqlite_percentile(0.75, "r.days"),
        )
    return [
        _OPEN_JOBS.format(first_country=first_country, now=now),
        _JOBS_BEST.format(is_open=is_open, any_open=any_open, sources=sources, urls=urls),
        _JOBS_PER_DAY.format(first_day=day.format(c="first_seen_at"), closed_day=day.format(c="closed_at")),
        _SALARY_OUTER.format(factor=ANNUAL_FACTOR_SQL.format(p="s.salary_period"), inner=salary_inner),
        _TOP_SKILLS.format(month=month, skills=skills.format(t="p", c="skills")),
        time_to_close,
    ]


def upgrade_statements(dialect: str) -> list[str]:
    """Statements creating the trigger and the views on ``dialect`` (postgresql | sqlite)."""
    trigger = _pg_trigger() if dialect == "postgresql" else _sqlite_trigger()
    return [*trigger, *_views(dialect)]


def downgrade_statements(dialect: str) -> list[str]:
    views = [f"DROP VIEW IF EXISTS {name}" for name in reversed(VIEW_NAMES)]
    if dialect == "postgresql":
        return [
            *views,
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON postings",
            f"DROP FUNCTION IF EXISTS {TRIGGER}()",
        ]
    return [*views, f"DROP TRIGGER IF EXISTS {TRIGGER}"]


#: what a later SQLite ``batch_alter_table("postings")`` migration drops first (then recreates)
DROP = downgrade_statements
