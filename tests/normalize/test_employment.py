"""crawler.normalize.employment — values the recorded sources use."""

from __future__ import annotations

import pytest

from crawler.normalize.employment import (
    detect_employment,
    employment_from_title,
    find_employment,
    parse_employment,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # LinkedIn criteria (en, fr, it UIs)
        ("Full-time", ("FULL_TIME", None)),
        ("Contract", ("CONTRACTOR", None)),
        ("Internship", ("INTERN", None)),
        ("Part-time", ("PART_TIME", None)),
        ("Temporary", ("TEMPORARY", None)),
        ("Temps plein", ("FULL_TIME", None)),
        ("Stage / Alternance", ("INTERN", None)),
        ("A tempo pieno", ("FULL_TIME", None)),
        ("Tempo pieno", ("FULL_TIME", None)),
        # schema.org JSON-LD, Ashby, Remotive, Himalayas, Lever, SmartRecruiters, Recruitee, Arbeitnow
        ("FULL_TIME", ("FULL_TIME", None)),
        ("INTERN", ("INTERN", None)),
        ("FullTime", ("FULL_TIME", None)),
        ("full_time", ("FULL_TIME", None)),
        ("part_time", ("PART_TIME", None)),
        ("Full Time", ("FULL_TIME", None)),
        ("Contractor", ("CONTRACTOR", None)),
        ("part-time", ("PART_TIME", None)),
        ("fulltime_permanent", ("FULL_TIME", None)),
        ("Side", ("PART_TIME", None)),
        # Gupy `type`
        ("vacancy_type_effective", ("FULL_TIME", "CLT")),
        ("vacancy_legal_entity", ("CONTRACTOR", "PJ")),
        ("vacancy_type_temporary", ("TEMPORARY", "Temporário")),
        ("vacancy_type_associate", ("CONTRACTOR", "Cooperado")),
        ("vacancy_type_internship", ("INTERN", "Estágio")),
        # Brazilian forms (task list)
        ("CLT", ("FULL_TIME", "CLT")),
        ("PJ", ("CONTRACTOR", "PJ")),
        ("Tempo integral", ("FULL_TIME", None)),
        ("Meio período", ("PART_TIME", None)),
        ("Cooperado", ("CONTRACTOR", "Cooperado")),
        ("Estágio", ("INTERN", "Estágio")),
        ("CLT (Efetivo)", ("FULL_TIME", "CLT")),
        ("Pessoa Jurídica", ("CONTRACTOR", "PJ")),
        ("Freelance", ("CONTRACTOR", None)),
        ("Volunteer", ("VOLUNTEER", None)),
        ("Per diem", ("PER_DIEM", None)),
        ("Teilzeit", ("PART_TIME", None)),
        ("Other", ("OTHER", None)),
        ("Outro", ("OTHER", None)),
        ("Contrato", ("CONTRACTOR", None)),
        ("Temporário", ("TEMPORARY", "Temporário")),
        ("Something else entirely", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_employment(value, expected):
    assert parse_employment(value) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # Lever
        (
            "(1099 Contract) Nonprofit Salesforce Consultant: Enterprise Project Manager",
            ("CONTRACTOR", "1099"),
        ),
        # Gupy
        (
            "Pessoa Engenheira de Dados III (Diretoria de Dados) - Tempo Determinado (6 meses)",
            ("TEMPORARY", "Temporário"),
        ),
        # Remotive / RemoteOK / LinkedIn
        ("Inside Sales Contractor", ("CONTRACTOR", None)),
        ("Go To Market Strategist AI Trainer Freelance 8 20 hrs week", ("CONTRACTOR", None)),
        ("IT Intern", ("INTERN", None)),
        ("Temp Clinical Product Lead", ("TEMPORARY", None)),
        ("Senior Backend Engineer", (None, None)),
    ],
)
def test_employment_from_title(title, expected):
    assert employment_from_title(title) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # seed
        ("Compensation\n- $8,000 USD per month\n- Full-time, remote position.", ("FULL_TIME", None)),
        # Gupy
        (
            "Informações adicionaisModalidade de Trabalho: Home Office;Contratação: PJ;Horário",
            ("CONTRACTOR", "PJ"),
        ),
        ("Contratação: CLT StefaniniModelo de Atuação: 100% Remoto", ("FULL_TIME", "CLT")),
        # Himalayas (Mercor)
        ("Position: Music Audio Expert - MalayalamType:ContractCompensation:$14/hour", ("CONTRACTOR", None)),
        # RemoteOK
        ("Why joinFlexible, part-time hoursFully remote opportunity", ("PART_TIME", None)),
        # "Full-time offers include..." is about other roles; part-time hours decide (RemoteOK + hand)
        ("Full-time offers include base salary. Flexible, part-time hours.", ("PART_TIME", None)),
        # conflicting free statements → None (hand-written)
        ("Full-time or part-time positions available.", (None, None)),
        ("", (None, None)),
    ],
)
def test_find_employment(text, expected):
    assert find_employment(text) == expected


def test_detect_employment_combines_levels():
    # Gupy: structured type gives both fields
    assert detect_employment(["vacancy_legal_entity"], "Engenheiro de Dados GCP Senior") == (
        "CONTRACTOR",
        "PJ",
    )
    # Lever: commitment "Contract" + title "(1099 Contract)" fills the contract form
    assert detect_employment(
        ["Contract"], "(1099 Contract) Salesforce for Nonprofits: Solution Architect"
    ) == (
        "CONTRACTOR",
        "1099",
    )
    # a structured FULL_TIME (a board default) loses to a title that says the job is not a plain full-time one:
    # Remotive "Inside Sales Contractor" (job_type full_time, "Job Type: Contract" in the text),
    # We Work Remotely "Web Developer Intern" (type Full-Time)
    assert detect_employment(["full_time"], "Inside Sales Contractor") == ("CONTRACTOR", None)
    assert detect_employment(["Full-Time"], "Web Developer Intern") == ("INTERN", None)
    assert detect_employment(["Full-time"], "Data Analyst (Part-Time)") == ("PART_TIME", None)
    # … but any other structured value stays: a contract posting titled "Intern" is not re-typed
    assert detect_employment(["Contract"], "Security Intern") == ("CONTRACTOR", None)
    assert detect_employment(["Full-time"], "Senior Engineer") == ("FULL_TIME", None)
    # nothing structured: description
    assert detect_employment([], "Senior Engineer", "Full-time, remote position.") == ("FULL_TIME", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a Portuguese hiring statement without a colon (Programathor, GitHub-issue boards)
        (
            "Vaga para pessoa desenvolvedora front-end júnior. React e Jest. Contratação PJ.",
            ("CONTRACTOR", "PJ"),
        ),
        ("Contratação em regime CLT, com benefícios.", ("FULL_TIME", "CLT")),
        ("Contratação via cooperativa? Não: contratação como PJ.", ("CONTRACTOR", "PJ")),
        ("A contratação de talentos diversos é prioridade.", (None, None)),
    ],
)
def test_find_employment_contract_phrase(text, expected):
    assert find_employment(text) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Contract Data Architect", ("CONTRACTOR", None)),  # Remote OK: the engagement
        ("Inside Sales Contractor", ("CONTRACTOR", None)),
        ("Contract Manager", (None, None)),  # roles in procurement or law, not engagements
        ("Government Contract Specialist", (None, None)),
    ],
)
def test_employment_from_title_contract_roles(title, expected):
    assert employment_from_title(title) == expected
