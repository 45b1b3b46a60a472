"""crawler.normalize.salary — real salary strings from the recorded fixtures (source in comments)."""

from __future__ import annotations

import pytest

from crawler.normalize.salary import (
    Salary,
    dollar_currency_for_country,
    find_salary_in_text,
    infer_period,
    normalize_currency,
    normalize_period,
    parse_salary,
    restated_salary,
    validate_salary,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # seed (Job For Dev / LinkedIn)
        ("$8,000 USD / month", Salary(8000, 8000, "USD", "MONTH")),
        ("$8,000 USD per month", Salary(8000, 8000, "USD", "MONTH")),
        # remotive `salary`
        ("$31,2k- $52k", Salary(31200, 52000, None, None)),
        ("OTE $25k - $35k", Salary(25000, 35000, None, None)),
        ("Pay per task", None),
        # LinkedIn base pay range and similar-job cards (en + fr UI)
        ("$70.00/hr - $100.00/hr", Salary(70, 100, None, "HOUR")),
        ("$50,000.00 - $95,000.00", Salary(50000, 95000, None, None)),
        ("$31.00 - $31.00", Salary(31, 31, None, None)),
        ("60,00 $US - 60,00 $US", Salary(60, 60, "USD", None)),
        ("38,00 $US - 51,00 $US", Salary(38, 51, "USD", None)),
        ("8 000,00 $US", Salary(8000, 8000, "USD", None)),
        ("3 000,00 $US - 8 000,00 $US", Salary(3000, 8000, "USD", None)),
        ("75 000,00 $US - 125 000,00 $US", Salary(75000, 125000, "USD", None)),
        # We Work Remotely pay text
        ("$96,000—$180,000 USD", Salary(96000, 180000, "USD", None)),
        ("$191,100—$191,100 CAD", Salary(191100, 191100, "CAD", None)),
        ("$130,000-$175,000 CAD", Salary(130000, 175000, "CAD", None)),
        ("$25.00 - $30.00 per hour", Salary(25, 30, None, "HOUR")),
        ("20-33€/hour", Salary(20, 33, "EUR", "HOUR")),
        ("Salary: $161,637 - $213,800.00 /yr.", Salary(161637, 213800, None, "YEAR")),
        # RemoteOK descriptions
        ("Salary Range: PLN 350,700 - 474,400 + Benefits + Equity", Salary(350700, 474400, "PLN", None)),
        ("$140,000 - $170,000 a year", Salary(140000, 170000, None, "YEAR")),
        ("£57,000-£70,000", Salary(57000, 70000, "GBP", None)),
        ("$1800 - $2200 AUD / Monthly", Salary(1800, 2200, "AUD", "MONTH")),
        ("15 USD per hour", Salary(15, 15, "USD", "HOUR")),
        ("$60,675- $101, 125 annually", Salary(60675, 101125, None, "YEAR")),
        ("Salary Range:$130,000/year - $150,000/year", Salary(130000, 150000, None, "YEAR")),
        ("$110,000+ per year", Salary(110000, None, None, "YEAR")),
        ("€2,500–3,500/month (contractor)", Salary(2500, 3500, "EUR", "MONTH")),
        ("$25 - $27 (per hour)", Salary(25, 27, None, "HOUR")),
        # Himalayas title, Recruitee question, Recruitee description
        ("Upto $14/hr", Salary(None, 14, None, "HOUR")),
        ("50K Euros - 60K Euros per annum", Salary(50000, 60000, "EUR", "YEAR")),
        ("€75–90k OTE", Salary(75000, 90000, "EUR", None)),
        # hand-written cases listed in the task
        ("R$ 10.000,00", Salary(10000, 10000, "BRL", None)),
        ("R$ 8.000,00 a 10.000,00", Salary(8000, 10000, "BRL", None)),
        ("€60k–75k a year", Salary(60000, 75000, "EUR", "YEAR")),
        ("USD 60-80k/yr", Salary(60000, 80000, "USD", "YEAR")),
        ("R$ 5.000 a R$ 7.000 por mês", Salary(5000, 7000, "BRL", "MONTH")),
        ("R$ 10 mil mensais", Salary(10000, 10000, "BRL", "MONTH")),
        ("US$ 4,000 - 5,000 / month", Salary(4000, 5000, "USD", "MONTH")),
        ("CA$120,000", Salary(120000, 120000, "CAD", None)),
        ("A$ 100 per day", Salary(100, 100, "AUD", "DAY")),
        ("competitive", None),
        ("Salário a combinar", None),
        ("Negotiable", None),
        ("", None),
    ],
)
def test_parse_salary(text, expected):
    assert parse_salary(text) == expected


@pytest.mark.parametrize(
    ("text", "hint", "currency"),
    [
        ("$70.00/hr - $100.00/hr", "USD", "USD"),
        ("$130,000-$175,000", "CAD", "CAD"),
        ("$130,000-$175,000 CAD", "USD", "CAD"),  # stated currency wins over the hint
        ("R$ 8.000", "USD", "BRL"),
        ("¥140,000", "JPY", "JPY"),
    ],
)
def test_parse_salary_default_currency(text, hint, currency):
    result = parse_salary(text, default_currency=hint)
    assert result is not None and result.currency == currency


@pytest.mark.parametrize(
    ("country", "currency"),
    [
        ("US", "USD"),
        ("CA", "CAD"),
        ("AU", "AUD"),
        ("MX", "MXN"),
        ("JP", "JPY"),
        ("BR", None),
        ("DE", None),
        (None, None),
    ],
)
def test_dollar_currency_for_country(country, currency):
    assert dollar_currency_for_country(country) == currency


# --- pay statements inside descriptions ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # seed
        (
            "English: C1 level\nCompensation: $8,000 USD / month\nAbout the Role\nWe are seeking",
            Salary(8000, 8000, "USD", "MONTH"),
        ),
        # We Work Remotely (JetBrains): period stated before, amount on the next line
        (
            "The base salary range (per year) for this position in the posted work location(s) is\n"
            "$96,000—$180,000 USD\nWe are an equal opportunity employer",
            Salary(96000, 180000, "USD", "YEAR"),
        ),
        # We Work Remotely (Coinbase): "(excluding equity and bonus)" is not a bonus amount
        (
            "Annual base salary range (excluding equity and bonus):\n$253,895—$298,700 USD\n"
            "Application Limit: Candidates may submit a maximum of 3 applications within a 6-month period.",
            Salary(253895, 298700, "USD", "YEAR"),
        ),
        # We Work Remotely (REDspace)
        (
            "Compensation:The expected salary range for this position is $130,000-$175,000 CAD. (Final placement)",
            Salary(130000, 175000, "CAD", None),
        ),
        # We Work Remotely (MapTiler)
        (
            "Competitive financial compensation based on your experience (20-33€/hour) & annual performance bonus.",
            Salary(20, 33, "EUR", "HOUR"),
        ),
        # RemoteOK: Lever-style line; OTE later in the text is not chosen
        (
            "Wallet integration\n$200,000 - $220,000 a yearCompensation for this position consists of "
            "$220,000+ salary + 10-12% commission. OTE is $350,000 - $400,000.",
            Salary(200000, 220000, None, "YEAR"),
        ),
        # RemoteOK: contractor monthly rate without a pay word (currency + period)
        ("What we offer€2,500–3,500/month (contractor)Full-time", Salary(2500, 3500, "EUR", "MONTH")),
        # RemoteOK: broken thousands "$101, 125"
        (
            "The salary range for this position is $60,675- $101, 125 annually. Numerous factors",
            Salary(60675, 101125, None, "YEAR"),
        ),
        # Ashby (Notion): the hourly rate comes first
        (
            "the estimated hourly rate is $33.65 - $38.70 per hour with a 30k annual commission target, "
            "annualized to salary range of $100,000 - $115,000 per year.",
            Salary(33.65, 38.70, None, "HOUR"),
        ),
        # Himalayas (Mercor)
        ("Type:ContractCompensation:$14/hourLocation:Remote", Salary(14, 14, None, "HOUR")),
        # Remotive (TELUS): "$15 to $25 per hour"
        (
            "the starting base pay for this position ranges from $15 to $25 per hour. Compensation may vary",
            Salary(15, 25, None, "HOUR"),
        ),
        # RemoteOK: salary floor
        (
            "Salary floor for this role begins at $110,000+ per year, depending on experience.",
            Salary(110000, None, None, "YEAR"),
        ),
        # Greenhouse (GitLab)
        (
            "United States Salary Range$139,200—$235,200 USDHow GitLab Supports",
            Salary(139200, 235200, "USD", None),
        ),
        # We Work Remotely (LaunchDarkly): zone table under a "pay ranges" heading, first zone
        (
            "Pay:\nTarget pay ranges based on Geographic Zones* for Level 3:\n\nZone 1: San Francisco/Bay Area "
            "or NYC Metropolitan Area, Boston, Seattle - $171,200 - $235,400\nZone 2: Irvine, LA - $154,100 - $211,860",
            Salary(171200, 235400, None, None),
        ),
        # LinkedIn job_posting_api_4330361169 (Adobe): "--" as range dash
        (
            "we pay differently based on those defined markets. The U.S. pay range for this position is "
            "$93,200 -- $179,200 annually. Pay within this range varies by work location",
            Salary(93200, 179200, None, "YEAR"),
        ),
        # hand-written Portuguese
        ("Faixa salarial: R$ 8.000,00 a 10.000,00 (CLT)", Salary(8000, 10000, "BRL", None)),
    ],
)
def test_find_salary_in_text(text, expected):
    assert find_salary_in_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # RemoteOK: funding, revenue, perks, budgets
        "Checkpoint Cyber is in hyper-growth mode, fueled by a recent $190m series C round.",
        "Series D funding round brought our total investment to over $320 million, fueling our ambitious vision.",
        "Versapay processes over 110M transactions and $257B annually.",
        "Get what you need to be happy and productive!$100/month education budget with more expensive items",
        "for all safety training courses for each employee averaging $1000 per employee for the base requirements.",
        "Access to a $200K+ perk marketplace with discounts on 150+ global services.",
        "¥140,000 home office setup allowance",
        "Medical, dental, and vision coverage401(k)Monthly wellness and fitness stipend",
        # Remotive: piece rate, stipend
        "The project compensation rate is $0.55 USD per accepted image.",
        "Weeks 2–4: Guaranteed training stipend of $500 USD total – or your commission if it’s higher.",
        # Gupy: benefits in BRL
        "Vale Refeição / VaIe Alimentação R$ 924,00 Mês (Cartão de benefícios flexíveis)",
        "Vale Alimentação/Refeição: R$ 1.300 mensais no cartão flexível, sem desconto em folha."
        "Auxílio Home Office: R$ 135,00 mensais, sem desconto em folha.",
        "além de emprestarmos o notebook, disponibilizamos um auxílio de R$ 2.400,00.",
        "Acesso a mais de 700 academias em todo o Brasil com planos a partir de R$ 29,90 descontado em folha",
        # We Work Remotely (Anyone): budget
        "Wellness budget - An annual well-being budget of €480 is here to help you stay fresh and focused.",
        # hand-written: counts and numbers without currency
        "We serve 2,000 customers and offer a 401k plan; 8,000 users per month.",
        "",
    ],
)
def test_find_salary_in_text_rejects(text):
    assert find_salary_in_text(text) is None


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "salary", "problems"),
    [
        # Himalayas structured values
        ((77905, 116858, "USD", "annual"), Salary(77905, 116858, "USD", "YEAR"), []),
        ((14, 14, "USD", "hourly"), Salary(14, 14, "USD", "HOUR"), []),
        # Recruitee: numbers as strings
        (("60000", "75000", "EUR", "year"), Salary(60000, 75000, "EUR", "YEAR"), []),
        # RemoteOK `salary_min: 0` means "no salary"
        ((0, 0, "USD", "YEAR"), None, ["salary/absurd"]),
        ((-5, 10, None, None), None, ["salary/absurd"]),
        ((2e9, None, "USD", "YEAR"), None, ["salary/absurd"]),
        ((20000, 25000, "USD", "HOUR"), None, ["salary/absurd"]),
        # high-denomination currency: no hourly ceiling
        ((20000, 25000, "JPY", "HOUR"), Salary(20000, 25000, "JPY", "HOUR"), []),
        # RemoteOK: "30" per year is not a yearly salary
        ((30, 30, "USD", "YEAR"), None, ["salary/implausible"]),
        ((10000, 8000, "BRL", "MONTH"), Salary(8000, 10000, "BRL", "MONTH"), ["salary/swapped"]),
        (
            (100, 200, "dollars", "fortnight"),
            Salary(100, 200, None, None),
            ["salary/invalid_currency", "salary/invalid_period"],
        ),
        (("abc", None, None, None), None, ["salary/invalid_number"]),
        ((None, None, "USD", "YEAR"), None, []),
    ],
)
def test_validate_salary(args, salary, problems):
    assert validate_salary(*args) == (salary, problems)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("annual", "YEAR"), ("hourly", "HOUR"), ("year", "YEAR"), ("YEAR", "YEAR"), ("per_month", "MONTH"),
     ("salary_per_year", "YEAR"), ("weekly", "WEEK"), ("daily", "DAY"), ("mensal", "MONTH"), ("other", None), (None, None)],
)  # fmt: skip
def test_normalize_period(value, expected):
    assert normalize_period(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("USD", "USD"), ("usd", "USD"), ("R$", "BRL"), ("€", "EUR"), ("$", None), ("XYZ", None), (None, None)],
)
def test_normalize_currency(value, expected):
    assert normalize_currency(value) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (25, "USD", "HOUR"),
        (8000, "USD", "MONTH"),
        (120000, "USD", "YEAR"),
        (9000, "BRL", "MONTH"),
        (5000, "JPY", None),
    ],
)
def test_infer_period_is_separate(amount, currency, expected):
    assert infer_period(amount, currency) == expected
    # and the parser never guesses a period
    parsed = parse_salary(f"{amount} {currency}")
    assert parsed is None or parsed.period is None


@pytest.mark.parametrize(
    ("lo", "hi", "text", "expected"),
    [
        # Remote OK states every salary as "USD per year"; the description repeats the numbers in its own unit
        (
            350700,
            474400,
            "Salary Range: PLN 350,700 - 474,400 + Benefits + Equity",
            Salary(350700, 474400, "PLN", None),
        ),
        (25, 27, "Remote (Full Time)\nCompensation: $25 - $27 (per hour)", Salary(25, 27, None, "HOUR")),
        (25, 27, "Compensation: $25 - $27 (per hour)", Salary(25, 27, None, "HOUR")),
        # other numbers, or no pay statement: nothing to correct
        (30000, 50000, "What we offer: €2,500–3,500/month (contractor)", None),
        (30, 30, "Work ~10 hours per week on flexible schedules.", None),
        (None, None, "Salary: $100,000 per year", None),
    ],
)
def test_restated_salary(lo, hi, text, expected):
    assert restated_salary(lo, hi, text) == expected


def test_find_salary_under_a_heading():
    # the amount follows one word on its line: the heading above is its clause (GitHub-issue board style)
    assert find_salary_in_text("## Requisitos\n\n- React\n\n## Contratação\n\nCLT, R$ 4.500,00.") == Salary(
        4500, 4500, "BRL", None
    )
    # a benefit stays a benefit
    assert find_salary_in_text("## Benefícios\n\nVale-refeição, R$ 900,00") is None
