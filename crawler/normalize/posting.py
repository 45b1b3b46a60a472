"""Normalize one posting in place: :func:`normalize_posting`.

Order of work (each step is isolated: an unexpected error is reported as
``"<step>/error"`` and the other steps still run):

1. inputs are coerced (wrong types reported as ``"<field>/wrong_type"``, NUL bytes as
   ``"text/nul_bytes"``, huge descriptions cut at :data:`MAX_DESCRIPTION_CHARS` with
   ``"text/truncated"``);
2. title/company cleaned; origin detected from the *raw* description (before aggregator
   boilerplate is removed); description_html sanitized; description_text derived;
3. locations, workplace, remote regions, employment/contract, seniority, experience,
   salary, languages, skills, dates — values the spider already set are validated and
   kept, text only fills what is missing.  Three exceptions where the posting's own words
   beat a source's generic value: remote regions (:func:`decide_remote_regions`: a title
   statement first, a location-level "anywhere" gives way to an explicit statement), a
   structured salary whose numbers the description repeats with another currency/period
   (``salary.restated_salary``), and source tags, which add skills only to short
   descriptions (:data:`TAGS_TRUSTED_BELOW_CHARS`) and only when unmistakable;
4. ``content_hash`` = sha256 of canonical JSON of :data:`CONTENT_HASH_FIELDS`.

Problem codes (counted by the pipeline as ``jobs/normalize/<code>``)::

    item/invalid                  not a posting object
    <field>/wrong_type            an input of the wrong type (converted or ignored)
    text/nul_bytes                NUL bytes removed from an input
    text/truncated                description longer than MAX_DESCRIPTION_CHARS
    description/empty             no description text after cleanup
    locations/invalid             a spider-set Location dropped (bad shape/country)
    location/unparsed             location_raw given but nothing recognized
    workplace/invalid             spider-set workplace not remote|hybrid|onsite
    remote_regions/invalid        spider-set region dropped
    employment_type/invalid       spider-set employment_type not a schema.org value
    seniority/invalid             spider-set seniority value dropped
    experience/invalid            spider-set years not an int in 0..50 (or min > max)
    salary/absurd | salary/implausible | salary/swapped | salary/invalid_currency |
    salary/invalid_period | salary/invalid_number | salary/unparsed
    languages/invalid             spider-set languages not valid
    posted_at/unparsed | posted_at/out_of_range
    valid_through/unparsed | valid_through/out_of_range
    <step>/error                  an unexpected exception inside a step
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from itemadapter import ItemAdapter

from crawler.items import EMPLOYMENT_TYPES, SENIORITIES, WORKPLACES, Language, Location
from crawler.normalize import geo
from crawler.normalize.dates import normalize_date
from crawler.normalize.employment import detect_employment, parse_employment
from crawler.normalize.experience import find_experience
from crawler.normalize.language import find_languages, validate_languages
from crawler.normalize.location import parse_location, parse_locations, validate_location
from crawler.normalize.origin import detect_origin, linkedin_job_url, normalize_origin_name
from crawler.normalize.salary import (
    Salary,
    dollar_currency_for_country,
    find_salary_in_text,
    is_no_salary_text,
    normalize_currency,
    normalize_period,
    parse_salary,
    restated_salary,
    validate_salary,
)
from crawler.normalize.seniority import detect_seniority, seniority_from_raw
from crawler.normalize.skills import canonical_skill, find_skills, skills_from_tags
from crawler.normalize.text import (
    clean_line,
    clean_markdown,
    guess_language,
    has_markdown,
    html_to_text,
    looks_like_html,
    remove_boilerplate_html,
    sanitize_html,
    strip_boilerplate_text,
)
from crawler.normalize.workplace import (
    detect_workplace,
    find_remote_regions,
    remote_regions_from_location,
    workplace_from_value,
)

MAX_DESCRIPTION_CHARS: Final = 500_000
MAX_SHORT_CHARS: Final = 2_000

#: normalized content that defines "the same posting" (not fetched_at, raw, posted_at, ids)
CONTENT_HASH_FIELDS: Final = (
    "title", "company", "company_url", "description_text", "locations", "remote_regions",
    "workplace", "employment_type", "contract_type", "seniority", "experience_years_min",
    "experience_years_max", "salary_min", "salary_max", "salary_currency", "salary_period",
    "languages", "skills", "valid_through", "apply_url", "origin", "origin_id",
)  # fmt: skip

#: below this many characters of description, source tags add skills (see ``step_skills``)
TAGS_TRUSTED_BELOW_CHARS: Final = 700

#: language of the text → country used only to disambiguate US/BR region codes ("PA", "MA")
_LANGUAGE_COUNTRY_HINT: Final = {"pt": "BR", "en": "US"}


class _Problems(list[str]):
    def add(self, code: str) -> None:
        if code not in self:
            self.append(code)


class _Inputs:
    """Raw inputs, coerced to the expected types."""

    def __init__(self, item: ItemAdapter, problems: _Problems) -> None:
        self.item = item
        self.problems = problems

    def text(self, field: str, limit: int = MAX_SHORT_CHARS) -> str | None:
        value = self.item.get(field)
        if value is None:
            return None
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
            self.problems.add(f"{field}/wrong_type")
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
            self.problems.add(f"{field}/wrong_type")
        elif isinstance(value, list | tuple):
            value = " ".join(str(v) for v in value if isinstance(v, str | int | float))
            self.problems.add(f"{field}/wrong_type")
        if not isinstance(value, str):
            self.problems.add(f"{field}/wrong_type")
            return None
        if "\x00" in value:
            value = value.replace("\x00", "")
            self.problems.add("text/nul_bytes")
        if len(value) > limit:
            value = value[:limit]
            if limit == MAX_DESCRIPTION_CHARS:
                self.problems.add("text/truncated")
        return value

    def strings(self, field: str) -> list[str]:
        value = self.item.get(field)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        elif not isinstance(value, list | tuple | set):
            self.problems.add(f"{field}/wrong_type")
            return []
        out: list[str] = []
        for v in value:
            if isinstance(v, bool) or v is None:
                continue
            if isinstance(v, int | float):
                v = str(v)
            if not isinstance(v, str):
                self.problems.add(f"{field}/wrong_type")
                continue
            if "\x00" in v:
                v = v.replace("\x00", "")
                self.problems.add("text/nul_bytes")
            v = clean_line(v[:MAX_SHORT_CHARS])
            if v:
                out.append(v)
        return out


def _run(problems: _Problems, step: str, fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:
        problems.add(f"{step}/error")


def _single_country(locations: list[Location], regions: list[str]) -> str | None:
    countries = {c for loc in locations if (c := loc.get("country"))}
    countries |= {r for r in regions if len(r) == 2}
    return next(iter(countries)) if len(countries) == 1 else None


def _valid_years(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 50


def content_hash(item: Any) -> str:
    """sha256 (hex) of the canonical JSON of the item's :data:`CONTENT_HASH_FIELDS`."""
    adapter = item if isinstance(item, ItemAdapter) else ItemAdapter(item)
    payload = {f: adapter.get(f) for f in CONTENT_HASH_FIELDS}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def normalize_posting(item: Any, now: datetime | None = None) -> list[str]:
    """Fill every normalized field of ``item`` (a JobPosting) in place; return problem codes.

    Never raises on bad input.  ``now`` anchors relative dates ("2 days ago") and the
    date range check; it defaults to the current UTC time.
    """
    problems = _Problems()
    try:
        adapter = ItemAdapter(item)
    except TypeError:
        return ["item/invalid"]
    inputs = _Inputs(adapter, problems)
    state: dict[str, Any] = {}

    # --- text fields -------------------------------------------------------------------
    def step_text() -> None:
        title = inputs.text("title")
        adapter["title"] = (clean_line(clean_markdown(title)) or None) if title else None
        company = inputs.text("company")
        adapter["company"] = (clean_line(company) or None) if company else None
        company_url = inputs.text("company_url")
        adapter["company_url"] = (company_url.strip() or None) if company_url else None
        raw_html = inputs.text("description_html", MAX_DESCRIPTION_CHARS)
        raw_text = inputs.text("description_text", MAX_DESCRIPTION_CHARS)
        state["raw_html"], state["raw_text"] = raw_html, raw_text
        if raw_text and raw_text.strip():
            if looks_like_html(raw_text):
                base = html_to_text(raw_text)
                state["text_with_boilerplate"] = clean_markdown(base) if has_markdown(base) else base
            else:
                state["text_with_boilerplate"] = clean_markdown(raw_text)
        elif raw_html:
            # text from the sanitized HTML: inline styles and attributes are gone, much less to scan
            sanitized = sanitize_html(raw_html)
            state["sanitized"] = sanitized
            base = html_to_text(sanitized)  # already clean text
            state["text_with_boilerplate"] = clean_markdown(base) if has_markdown(base) else base
        else:
            state["text_with_boilerplate"] = ""
        text = strip_boilerplate_text(state["text_with_boilerplate"])
        adapter["description_text"] = text or None
        if raw_html:
            kept: str | None = state.get("sanitized")
            if kept is None:
                kept = sanitize_html(raw_html)
            adapter["description_html"] = remove_boilerplate_html(kept) or None
        elif adapter.get("description_html") is not None:
            adapter["description_html"] = None  # wrong type or empty: nothing safe to keep
        if not text:
            problems.add("description/empty")
        state["text"] = text
        state["lang"] = guess_language(f"{adapter.get('title') or ''}\n{text}")

    _run(problems, "description", step_text)
    text: str = state.get("text") or ""
    title: str | None = adapter.get("title") if isinstance(adapter.get("title"), str) else None
    apply_url = inputs.text("apply_url")

    # --- origin ------------------------------------------------------------------------
    def step_origin() -> None:
        source = normalize_origin_name(inputs.text("source")) or (inputs.text("source") or "").lower() or None
        found = detect_origin(
            state.get("text_with_boilerplate") or state.get("raw_text"), state.get("raw_html"), [apply_url]
        )
        current = inputs.text("origin")
        if current:
            name = normalize_origin_name(current) or current.strip().lower()
            adapter["origin"] = name
            if found.origin == name:
                if not adapter.get("origin_id") and found.origin_id:
                    adapter["origin_id"] = found.origin_id
                if not adapter.get("origin_url") and found.origin_url:
                    adapter["origin_url"] = found.origin_url
        elif found.origin and found.origin != source:
            adapter["origin"] = found.origin
            adapter["origin_id"] = adapter.get("origin_id") or found.origin_id
            adapter["origin_url"] = adapter.get("origin_url") or found.origin_url
        oid = adapter.get("origin_id")
        if adapter.get("origin") == "linkedin" and oid and not adapter.get("origin_url"):
            adapter["origin_url"] = linkedin_job_url(str(oid))

    _run(problems, "origin", step_origin)

    # --- locations -----------------------------------------------------------------------
    location_raw = inputs.strings("location_raw")
    hint_country = _LANGUAGE_COUNTRY_HINT.get(state.get("lang") or "")

    def step_locations() -> None:
        existing = adapter.get("locations")
        if existing:
            valid: list[Location] = []
            for loc in existing if isinstance(existing, list) else []:
                v = validate_location(loc)
                if v is None:
                    problems.add("locations/invalid")
                elif v not in valid:
                    valid.append(v)
            if not isinstance(existing, list):
                problems.add("locations/invalid")
            adapter["locations"] = valid
            if valid:
                return
        locations = parse_locations(location_raw, hint_country)
        if not locations and not location_raw and text:
            locations = _locations_from_description(text, hint_country)
        adapter["locations"] = locations
        if location_raw and not locations and not any(remote_regions_from_location(s) for s in location_raw):
            if not all(workplace_from_value(s) for s in location_raw):
                problems.add("location/unparsed")

    _run(problems, "locations", step_locations)

    # --- workplace and remote regions -------------------------------------------------------
    def step_workplace() -> None:
        current = adapter.get("workplace")
        if current is not None:
            if current in WORKPLACES:
                return
            fixed = workplace_from_value(current) if isinstance(current, str) else None
            if fixed:
                adapter["workplace"] = fixed
                return
            problems.add("workplace/invalid")
            adapter["workplace"] = None
        adapter["workplace"] = detect_workplace(inputs.strings("workplace_raw"), title, location_raw, text)

    _run(problems, "workplace", step_workplace)

    def step_regions() -> None:
        current = adapter.get("remote_regions")
        if current:
            valid = []
            for r in current if isinstance(current, list) else []:
                code = r.strip().upper() if isinstance(r, str) else None
                if code and (code in geo.REMOTE_REGIONS or geo.is_country_code(code)):
                    if code not in valid:
                        valid.append(code)
                else:
                    problems.add("remote_regions/invalid")
            adapter["remote_regions"] = valid
            if valid:
                return
        if adapter.get("workplace") != "remote":
            adapter["remote_regions"] = []
            return
        adapter["remote_regions"] = decide_remote_regions(title, location_raw, text)

    _run(problems, "remote_regions", step_regions)

    # --- employment ----------------------------------------------------------------------
    def step_employment() -> None:
        emp = adapter.get("employment_type")
        contract = adapter.get("contract_type")
        if emp is not None and emp not in EMPLOYMENT_TYPES:
            fixed, fixed_contract = parse_employment(emp) if isinstance(emp, str) else (None, None)
            if fixed is None:
                problems.add("employment_type/invalid")
            emp = fixed
            contract = contract or fixed_contract
        if contract is not None and not isinstance(contract, str):
            contract = None
        if emp is None or contract is None:
            e, c = detect_employment(inputs.strings("employment_type_raw"), title, text)
            emp = emp or e
            contract = contract or c
        adapter["employment_type"] = emp
        adapter["contract_type"] = contract

    _run(problems, "employment_type", step_employment)

    # --- seniority -----------------------------------------------------------------------
    def step_seniority() -> None:
        current = adapter.get("seniority")
        if current:
            values = current if isinstance(current, list) else [current]
            valid = [s for s in values if s in SENIORITIES]
            if len(valid) != len(values):
                problems.add("seniority/invalid")
                valid = valid or seniority_from_raw([v for v in values if isinstance(v, str)])
            if valid:
                order = {s: i for i, s in enumerate(SENIORITIES)}
                adapter["seniority"] = sorted(set(valid), key=order.__getitem__)
                return
        adapter["seniority"] = detect_seniority(title, inputs.strings("seniority_raw"), text)

    _run(problems, "seniority", step_seniority)

    # --- experience ----------------------------------------------------------------------
    def step_experience() -> None:
        lo, hi = adapter.get("experience_years_min"), adapter.get("experience_years_max")
        if lo is not None or hi is not None:
            ok = all(v is None or _valid_years(v) for v in (lo, hi)) and not (
                lo is not None and hi is not None and lo > hi
            )
            if ok:
                return
            problems.add("experience/invalid")
        lo, hi = find_experience(title)
        if lo is None:
            lo, hi = find_experience(text)
        adapter["experience_years_min"], adapter["experience_years_max"] = lo, hi

    _run(problems, "experience", step_experience)

    # --- salary --------------------------------------------------------------------------
    def step_salary() -> None:
        raw = inputs.text("salary_raw")
        adapter["salary_raw"] = (clean_line(raw) or None) if raw else None
        raw = adapter.get("salary_raw")
        hint = dollar_currency_for_country(
            _single_country(adapter.get("locations") or [], adapter.get("remote_regions") or [])
        )
        smin, smax = adapter.get("salary_min"), adapter.get("salary_max")
        found: Salary | None = None
        if smin is not None or smax is not None:
            currency, period = adapter.get("salary_currency"), adapter.get("salary_period")
            if raw and (currency is None or period is None):
                parsed = parse_salary(raw, hint)
                if parsed is not None:
                    currency = currency if currency is not None else parsed.currency
                    period = period if period is not None else parsed.period
            # the description repeating the same numbers with its own currency/period wins
            stated = restated_salary(smin, smax, title, hint) or restated_salary(smin, smax, text, hint)
            if stated is not None:
                currency = stated.currency or currency
                period = stated.period or period
            checked, codes = validate_salary(smin, smax, currency, period)
            for code in codes:
                problems.add(code)
            found = checked
        else:
            if raw:
                found = parse_salary(raw, hint)
                if found is None and not is_no_salary_text(raw) and any(ch.isdigit() for ch in raw):
                    problems.add("salary/unparsed")
            else:
                found = find_salary_in_text(title, hint) or find_salary_in_text(text, hint)
            if found is not None:
                checked, codes = validate_salary(found.min, found.max, found.currency, found.period)
                for code in codes:
                    problems.add(code)
                found = checked
        if found is None:
            adapter["salary_min"] = adapter["salary_max"] = None
            adapter["salary_currency"] = adapter["salary_period"] = None
        else:
            adapter["salary_min"], adapter["salary_max"] = found.min, found.max
            adapter["salary_currency"] = normalize_currency(found.currency)
            adapter["salary_period"] = normalize_period(found.period)

    _run(problems, "salary", step_salary)

    # --- languages -----------------------------------------------------------------------
    def step_languages() -> None:
        current = adapter.get("languages")
        if current:
            valid = validate_languages(current)
            if valid is not None:
                adapter["languages"] = valid
                return
            problems.add("languages/invalid")
        found: list[Language] = find_languages(text)
        adapter["languages"] = found

    _run(problems, "languages", step_languages)

    # --- skills --------------------------------------------------------------------------
    def step_skills() -> None:
        current = adapter.get("skills")
        if current and isinstance(current, list):
            out: list[str] = []
            for s in current:
                if isinstance(s, str) and s.strip():
                    name = canonical_skill(s) or clean_line(s)
                    if name not in out:
                        out.append(name)
            adapter["skills"] = out
            if out:
                return
        found: list[str] = []
        for name in find_skills(title) + find_skills(text):
            if name not in found:
                found.append(name)
        if len(text) < TAGS_TRUSTED_BELOW_CHARS:
            # board tags (Remote OK, Remotive) are often generated or company-wide ("go" on a
            # go-to-market job, a web agency's stack on an office job): they count only when there
            # is little text to read, and only when unmistakable ("golang", not "go")
            for name in skills_from_tags(inputs.strings("tags"), unambiguous_only=True):
                if name not in found:
                    found.append(name)
        adapter["skills"] = found

    _run(problems, "skills", step_skills)

    # --- dates ---------------------------------------------------------------------------
    def date_step(field: str, raw_field: str) -> Callable[[], None]:
        def run() -> None:
            current = adapter.get(field)
            value = current if current not in (None, "") else adapter.get(raw_field)
            if isinstance(value, str) and "\x00" in value:
                value = value.replace("\x00", "")
                problems.add("text/nul_bytes")
            iso, problem = normalize_date(value, now)
            if problem:
                problems.add(f"{field}/{problem}")
            adapter[field] = iso

        return run

    _run(problems, "posted_at", date_step("posted_at", "posted_raw"))
    _run(problems, "valid_through", date_step("valid_through", "valid_through_raw"))

    # --- content hash --------------------------------------------------------------------
    def step_hash() -> None:
        adapter["content_hash"] = content_hash(adapter)

    _run(problems, "content_hash", step_hash)
    return list(problems)


def decide_remote_regions(title: str | None, location_raw: list[str], text: str) -> list[str]:
    """Remote regions of a remote posting, most specific statement first.

    1. the title ("Location Services Engineer (Remote in Europe)");
    2. the location strings, where a generic ``WORLDWIDE`` next to specific regions is dropped
       (We Work Remotely: region "Anywhere in the World" + country "United States of America");
    3. an explicit statement in the description ("remote friendly within the United States",
       "You live in the EMEA Region"), which also replaces a location-level ``WORLDWIDE``: boards
       such as We Work Remotely put "Anywhere in the World" on every posting.
    """
    if title:
        from_title = find_remote_regions(title)
        if from_title:
            return from_title
    regions: list[str] = []
    for s in location_raw:
        for code in remote_regions_from_location(s):
            if code not in regions:
                regions.append(code)
    if len(regions) > 1 and "WORLDWIDE" in regions:
        regions.remove("WORLDWIDE")
    if not regions or regions == ["WORLDWIDE"]:
        stated = find_remote_regions(text)
        if len(stated) > 1 and "WORLDWIDE" in stated:
            stated.remove("WORLDWIDE")
        if not regions or (stated and stated != ["WORLDWIDE"]):
            return stated
    return regions


_LOCATION_LINE_LABELS: Final = (
    "location", "job location", "work location", "localização", "localizacao", "local", "local de trabalho",
    "localidade", "ubicación", "ubicacion", "standort", "arbeitsort", "based in", "city", "cidade",
)  # fmt: skip


_LOCATION_LINE_RE: Final = re.compile(
    r"(?im)^[\-•* ]*(?:"
    + "|".join(re.escape(x) for x in _LOCATION_LINE_LABELS)
    + r")\s*:\s*(?P<v>[^\n]{2,80})$"
    # a markdown heading and its value on the next line: "## Local\nPresencial em Recife/PE."
    + r"|^#{1,6}[ \t]*(?:"
    + "|".join(re.escape(x) for x in _LOCATION_LINE_LABELS)
    + r")[ \t]*:?[ \t]*\n+[ \t]*(?P<h>[^\n#]{2,80})$"
)


def _locations_from_description(text: str, hint_country: str | None) -> list[Location]:
    """A "Location: …" line at the start of a line; only places with a country or region."""
    m = _LOCATION_LINE_RE.search(text[:20_000])
    if not m:
        return []
    value = m.group("v") or m.group("h")
    return [loc for loc in parse_location(value, hint_country) if loc["country"] or loc["region"]]
