"""crawler.normalize.seniority — real titles and criteria values."""

from __future__ import annotations

import pytest

from crawler.normalize.seniority import (
    detect_seniority,
    seniority_from_description,
    seniority_from_raw,
    seniority_from_title,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # seed
        ("Senior / Principal Backend Engineer (Ruby on Rails)", ["senior", "principal"]),
        # Gupy titles
        ("Engenheiro de Dados SR", ["senior"]),
        ("Engenheiro de Dados sênior ", ["senior"]),
        ("Engenheiro de Dados Sr. ", ["senior"]),
        ("11718371 - ENGENHEIRO DE DADOS SÊNIOR", ["senior"]),
        ("ENGENHEIRO DE DADOS PLENO | REMOTO", ["mid"]),
        ("Engenheiro de Dados Pl.", ["mid"]),
        ("Engenheiro de Dados PL/SR", ["mid", "senior"]),
        ("Especialista Engenheiro(a) de Dados", ["senior"]),
        ("Pessoa Engenheira de Dados III (Diretoria de Dados) - Tempo Determinado (6 meses)", []),
        ("Engenheiro(a) de Dados & IA", []),
        # LinkedIn titles
        ("Junior Software Developer (Python)", ["junior"]),
        ("JAVA/PYTHON Full Stack Developer JUNIOR/MIDDLE (REMOTO)", ["junior", "mid"]),
        ("Semi Senior React Developer - Remote Work", ["mid"]),
        ("UI React Developer Intermediate", ["mid"]),
        ("Junior Back-end Developer - Internship", ["intern", "junior"]),
        ("Software Engineer Intern/Co-op (Fall 2025)", ["intern"]),
        ("IT Summer Intern / Stagiaire d’été IT", ["intern"]),
        ("Senior Staff Engineer, JavaScript- Fullstack", ["senior", "staff"]),
        ("Sr. Manager, Intercompany and Consolidation", ["senior", "manager"]),
        ("Manager, Brand Partnerships", ["manager"]),
        ("Senior Manager, Accounts Payable", ["senior", "manager"]),
        ("Front End Web Developer IV", []),
        ("Software Developer 4", []),
        ("Sr Angular Developer", ["senior"]),
        # RemoteOK titles
        ("Staff DevOps Engineer", ["staff"]),
        ("Staff Threat Intelligence Researcher", ["staff"]),
        ("VP Corporate Marketing Brand & Communications", ["executive"]),
        ("Vice President of Sales", ["executive"]),
        ("CFO", ["executive"]),
        ("Head of European and UK Policy", ["director"]),
        ("Associate Creative Director Design", ["director"]),
        ("Engineering Manager Workload Management", ["manager"]),
        ("Technical Product Manager", []),
        ("Partnerships Manager Japan", []),
        ("Principal VC & Startup Ecosystem Lead", ["principal", "lead"]),
        ("Software Engineer New Grad Production Infrastructure", ["junior"]),
        ("Entry Level Crypto Market Specialist", ["junior"]),
        ("Design Intern Summer 2026", ["intern"]),
        ("Corporate Associate ECVC", []),
        ("Executive Brand Operations", []),
        # Arbeitnow, Remotive, Ashby
        ("Praktikant Marketing/Event (m/w/d) - Student: in", ["intern"]),
        ("Senior Account Executive, Enterprise", ["senior"]),
        ("Inside Sales Contractor", []),
        ("Business Development Representative, New York", []),
        # hand-written negatives
        ("Staff Accountant", []),
        ("Lead Generation Specialist", []),
        ("PL/SQL Developer", []),
        ("Mid-Market Account Executive", []),
        ("Middle East Sales Director", ["director"]),
        ("Especialista em Marketing Digital", []),
        ("Trainee de Dados", ["junior"]),
        ("Estagiário de TI", ["intern"]),
        ("Gerente de Projetos", []),
        ("Coordenadora de TI", ["manager"]),
        (None, []),
    ],
)
def test_seniority_from_title(title, expected):
    assert seniority_from_title(title) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # LinkedIn criteria (en, it, fr UIs)
        (["Not Applicable"], []),
        (["Associate"], ["junior"]),
        (["Mid-Senior level"], ["mid", "senior"]),
        (["Entry level"], ["junior"]),
        (["Internship"], ["intern"]),
        (["Director"], ["director"]),
        (["Executive"], ["executive"]),
        (["Livello medio"], ["mid", "senior"]),
        (["Stagiaire / Alternant"], ["intern"]),
        # Himalayas, SmartRecruiters, Recruitee
        (["Mid-level"], ["mid"]),
        (["not_applicable"], []),
        (["mid_level"], ["mid"]),
        (["experienced"], ["mid", "senior"]),
        # Portuguese values
        (["Pleno/Sênior"], ["mid", "senior"]),
        (["Júnior"], ["junior"]),
        (["Estágio"], ["intern"]),
        ([None, ""], []),
    ],
)
def test_seniority_from_raw(values, expected):
    assert seniority_from_raw(values) == expected


def test_description_free_text_is_not_read():
    # the seed says this and must stay [senior, principal] (title wins; free text never counts)
    text = "- Conduct code reviews and mentor junior and mid-level engineers."
    assert seniority_from_description(text) == []
    assert detect_seniority("Senior / Principal Backend Engineer (Ruby on Rails)", [], text) == [
        "senior",
        "principal",
    ]
    assert detect_seniority("Backend Engineer", [], text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seniority level: Mid-Senior level", ["mid", "senior"]),
        ("Nível: Pleno", ["mid"]),
        ("This is a senior-level position with a great team.", ["senior"]),
        ("We are looking for a senior engineer.", []),
    ],
)
def test_seniority_from_description(text, expected):
    assert seniority_from_description(text) == expected


def test_priority_title_then_raw():
    assert detect_seniority("Software Development Engineer", ["Not Applicable"]) == []
    assert detect_seniority("Manufacturing Data Analyst | Remote", ["Associate"]) == ["junior"]
    assert detect_seniority("Senior Data Engineer", ["Associate"]) == ["senior"]
