"""crawler.normalize.language — language requirements from real descriptions."""

from __future__ import annotations

import pytest

from crawler.normalize.language import find_languages, language_code, normalize_level, validate_languages


def lang(code, level):
    return {"language": code, "level": level}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # seed: three mentions, one language
        (
            "English: C1 level\n- Collaborate using clear communication in C1-level English.\n- C1 English (written and spoken).",
            [lang("en", "C1")],
        ),
        # task examples (hand-written)
        ("C1 English", [lang("en", "C1")]),
        ("Inglês avançado", [lang("en", "C1")]),
        ("Inglês fluente", [lang("en", "C1")]),
        ("Inglês intermediário", [lang("en", "B1")]),
        ("Native English speaker", [lang("en", "C2")]),
        ("Espanhol básico", [lang("es", "A2")]),
        ("Advanced English", [lang("en", "C1")]),
        # Gupy
        ("Inglês avançado é requisito eliminatório, pois exige participação em reuniões", [lang("en", "C1")]),
        (
            "Infraestrutura como Código (Terraform, Bicep) é um diferencial.Inglês Avançado/Fluente para conversação.",
            [lang("en", "C1")],
        ),
        (
            "Parceria com escola de idiomas: parceria com descontos para os idiomas de inglês e espanhol com a OpenEnglish",
            [],
        ),
        ("Comunicação com stakeholders e registro de decisões em inglês;", []),
        # RemoteOK / WWR / Himalayas / Greenhouse / Recruitee / Arbeitnow
        ("Intermediate-advanced English level.", [lang("en", "B2")]),
        ("Upper-intermediate English", [lang("en", "B2")]),
        ("Inglês intermediário/avançado", [lang("en", "B2")]),
        ("You speak fluent English and native Japanese", [lang("en", "C1"), lang("ja", "C2")]),
        (
            "Excellent command of German and proficient in English, with the ability",
            [lang("de", "C1"), lang("en", "C1")],
        ),
        (
            "Bilingual proficiency: fluent professional English and Spanish (written and spoken)",
            [lang("en", "C1"), lang("es", "C1")],
        ),
        ("Strong English communication skills, both written and spoken", [lang("en", None)]),
        (
            "Native or near-native proficiency in both Malayalam and English.",
            [lang("ml", "C2"), lang("en", "C2")],
        ),
        ("Fluent Italian language skills (required).", [lang("it", "C1")]),
        ("Business proficient language skills in German & English", [lang("de", "C1"), lang("en", "C1")]),
        ("Exzellente Deutschkenntnisse in Wort und Schrift", [lang("de", "C1")]),
        ("Are you fluent in German?", [lang("de", "C1")]),
        # LinkedIn (Italian JSON-LD description)
        ("conoscenza della lingua inglese almeno livello B2.", [lang("en", "B2")]),
        # not requirements
        ("Draft and refine sophisticated content in both English and Chinese, including viewpoints", []),
        ("Record monthly journal entries based on German GAAP/HGB", []),
        ("Required skills:Fluent C and good C++ or willingness to learn C++", []),
        ("Polish your resume before applying", []),
        ("We build React Native apps for 3 million users.", []),
        ("", []),
    ],
)
def test_find_languages(text, expected):
    assert find_languages(text) == expected


@pytest.mark.parametrize(
    ("name", "code"),
    [("English", "en"), ("Inglês", "en"), ("inglés", "en"), ("Deutsch", "de"), ("Alemão", "de"), ("Español", "es"),
     ("Português", "pt"), ("Mandarin", "zh"), ("en", "en"), ("Klingon", None), (None, None)],
)  # fmt: skip
def test_language_code(name, code):
    assert language_code(name) == code


@pytest.mark.parametrize(
    ("value", "level"),
    [("c1", "C1"), ("B2+", "B2"), ("fluent", "C1"), ("avançado", "C1"), ("intermediário", "B1"), ("básico", "A2"),
     ("native", "C2"), ("upper-intermediate", "B2"), ("good", None), (None, None)],
)  # fmt: skip
def test_normalize_level(value, level):
    assert normalize_level(value) == level


def test_validate_languages():
    assert validate_languages([{"language": "English", "level": "c1"}]) == [lang("en", "C1")]
    assert validate_languages([{"language": "xx", "level": None}]) is None
    assert validate_languages("en") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a communication duty names the languages (Arbeitnow, German)
        (
            "- Kommunikation mit Geschäftspartnern (Deutsch/Englisch)\n- Exzellente Deutschkenntnisse in Wort und Schrift",
            [lang("de", "C1"), lang("en", None)],
        ),
        ("Comunicação diária com o cliente em inglês.", [lang("en", None)]),
        ("We make software with the craftsmanship of German cameras.", []),
    ],
)
def test_find_languages_communication_cue(text, expected):
    assert find_languages(text) == expected
