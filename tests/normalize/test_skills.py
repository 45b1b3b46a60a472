"""crawler.normalize.skills — vocabulary file and matching on real text."""

from __future__ import annotations

import pytest

from crawler.normalize.skills import (
    SKILLS_FILE,
    VOCABULARY,
    canonical_skill,
    find_skills,
    load_vocabulary,
    skills_from_tags,
    unglue,
)


def test_vocabulary_size_and_shape():
    assert len(VOCABULARY.canonicals) >= 200
    assert len(set(VOCABULARY.canonicals)) == len(VOCABULARY.canonicals)
    # every line parses, no alias shared by two skills (load_vocabulary raises otherwise)
    assert load_vocabulary(str(SKILLS_FILE)) is VOCABULARY or load_vocabulary(str(SKILLS_FILE)).canonicals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # seed snippets
        (
            "Caching (Redis, Memcached)\n- Experience with cloud environments (AWS, GCP, or Azure).\n"
            "- Experience with background processing tools (Sidekiq, Resque).",
            ["Redis", "Memcached", "AWS", "GCP", "Azure", "Sidekiq", "Resque"],
        ),
        (
            "Expert-level experience with Ruby on Rails (performance optimization, ActiveRecord, background jobs)",
            ["Ruby on Rails", "ActiveRecord"],
        ),
        ("relational databases (PostgreSQL preferred)", ["PostgreSQL"]),
        ("Knowledge of CI/CD pipelines, DevOps practices", ["CI/CD", "DevOps"]),
        # Gupy (glued text, upper case titles)
        ("Engenheiro de Dados Sênior GCP/DBT", ["GCP", "dbt"]),
        ("SQL e Python.Conhecimento em AWS", ["SQL", "Python", "AWS"]),
        ("Orquestração (Airflow), ELT e dbt aplicados em larga escala", ["Apache Airflow", "ELT", "dbt"]),
        (
            "Streaming (Kafka, Flink) e arquiteturas Lakehouse com Apache Iceberg",
            ["Kafka", "Apache Flink", "Lakehouse", "Apache Iceberg"],
        ),
        ("Engenheiro(a) de Dados Sênior | Airflow (MWAA) | AWS", ["Apache Airflow", "AWS"]),
        ("Controle de Versão:Git/GitHub/Bitbucket.", ["Git", "GitHub", "Bitbucket"]),
        # RemoteOK / LinkedIn
        ("Required skills:Fluent C and good C++ or willingness to learn C++", ["C", "C++"]),
        ("Applications Developer .Net, SQL & Angular", [".NET", "SQL", "Angular"]),
        ("Software Engineer (JavaScript+TypeScript) - 20414", ["JavaScript", "TypeScript"]),
        ("5+ years of experience with RoR and Javascript.", ["Ruby on Rails", "JavaScript"]),
        (
            "Ability to write high-quality code (in programming languages like Go, Java, C/C++ etc.)",
            ["Go", "Java", "C", "C++"],
        ),
        ("Python with React Developer", ["Python", "React"]),
        ("Junior Python/Matlab Developer | Genova", ["Python", "MATLAB"]),
        ("Django Developer @ AI Platform", ["Django"]),
        ("Kubernetes (k8s), Terraform and Node.js", ["Kubernetes", "Terraform", "Node.js"]),
        ("Vue.js, Next.js and ASP.NET Core", ["Vue.js", "Next.js", "ASP.NET"]),
        ("React Native and Swift for iOS", ["React Native", "Swift", "iOS"]),
        ("Java, Spring Boot, Spring", ["Java", "Spring Boot", "Spring"]),
        # ambiguous words in everyday use are not skills
        ("Go-to-market strategy and go-live planning", []),
        ("Our R&D team works with partners", []),
        ("Engage C-level executives and the C-suite", []),
        ("fueled by a recent $190m series C round", []),
        ("Spring 2025 internship in Java", ["Java"]),
        ("Swift execution and a rust-free process", []),
        ("Express delivery to American Express customers", []),
        ("guard rails for the product", []),
        ("We react quickly to feedback", []),
        ("Salário: R$ 5.000", []),
        ("", []),
    ],
)
def test_find_skills(text, expected):
    assert find_skills(text) == expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        # RemoteOK tags
        (["go", "golang", "digital nomad", "senior"], ["Go"]),
        (["ruby", "rails", "ror"], ["Ruby", "Ruby on Rails"]),
        (["c", "c#", "postgres", "postgresql"], ["C", "C#", "PostgreSQL"]),
        (
            ["FastAPI", "sql", "Pytest", "Nginx", "VS Code", "GitHub Actions"],
            ["FastAPI", "SQL", "Pytest", "Nginx", "VS Code", "GitHub Actions"],
        ),
        (
            ["Algorithms", "Data structures", "node", "react"],
            ["Algorithms", "Data Structures", "Node.js", "React"],
        ),
        # Remotive tags
        (
            ["CSS", "excel", "git", "html", "jQuery", "Ajax", "google sheets", "CRM"],
            ["CSS", "Excel", "Git", "HTML", "jQuery", "Ajax", "Google Sheets"],
        ),
        ("python", ["Python"]),
        (None, []),
    ],
)
def test_skills_from_tags(tags, expected):
    assert skills_from_tags(tags) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("golang", "Go"),
        ("postgres", "PostgreSQL"),
        ("k8s", "Kubernetes"),
        ("RoR", "Ruby on Rails"),
        ("nope", None),
    ],
)
def test_canonical_skill(name, expected):
    assert canonical_skill(name) == expected


# --- fixes found by the labelled evaluation set (tests/eval) -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Gupy flattens HTML: section titles stick to the previous word
        (
            "Orquestração: Airflow, Azure Data FactoryProcessamento distribuído: Spark, DatabricksBancos de dados",
            ["Apache Airflow", "Azure Data Factory", "Apache Spark", "Databricks"],
        ),
        ("Linguagens: Python e SQLRequisitos e qualificações", ["Python", "SQL"]),
        ("Conhecimentos em GithubExperiência em ETL/ELT", ["GitHub", "ETL", "ELT"]),
        ("Programação avançada em Python e pySparkExperiência com AWS", ["Python", "PySpark", "AWS"]),
        # camel-case names stay whole, short suffixes are not cut ("GitOps" is not Git)
        (
            "JavaScript, TypeScript, GitHub, PostgreSQL, DevOps",
            ["JavaScript", "TypeScript", "GitHub", "PostgreSQL", "DevOps"],
        ),
        ("Establish GitOps workflows and SecDevOps automations", []),
        # Portuguese names of concepts, plurals
        (
            "Princípios ágeis, estrutura de dados, algoritmos e orientação a objetos",
            ["Agile", "Data Structures", "Algorithms", "OOP"],
        ),
        (
            "Infraestrutura como código, integração contínua e revisões de código",
            ["Infrastructure as Code", "CI/CD", "Code Review"],
        ),
        ("Micro Serviços e arquitetura orientada a eventos", ["Microservices", "Event-Driven Architecture"]),
        ("Criar e gerenciar Data Lakes, Data Warehouses e ETLs", ["Data Lake", "Data Warehouse", "ETL"]),
        ("Perform code and design reviews with the team", ["Code Review"]),
        # AWS/Azure services named short, in a technical context only
        (
            "Vivência com serviços AWS, especialmente Redshift, S3, Glue e Athena",
            ["AWS", "Redshift", "Amazon S3", "AWS Glue", "Amazon Athena"],
        ),
        ("Databricks, Synapse ou Fabric", ["Databricks", "Azure Synapse"]),
        ("Glue the teams together; Athena is our office cat", []),
        ("You're comfortable working with SIEMs (queries, alert tuning)", ["SIEM"]),
        ("Experience deploying behind Nginx or Apache", ["Nginx", "Apache HTTP Server"]),
        ("OLAP (ClickHouse, Apache Pinot, Trino)", ["ClickHouse", "Trino"]),
        # everyday or negated uses
        ("backed by Spark Capital and Y Combinator", []),
        ("Databricks features, including Unity Catalog, Delta Lake", ["Databricks", "Delta Lake"]),
        ("Modelagem para BI/DataMart - Star Schema/Snowflake", []),
        ("Experience with Snowflake or Databricks", ["Snowflake", "Databricks"]),
        ("Just a simple way to deploy. No Kubernetes. No YAML jungles.", []),
        ("- No dedicated DevOps\n- Python services are Dockerized", ["Python"]),
        ("Experiência sem Java, com Python", ["Python"]),
        ("Experience with Python, not only Java", ["Python", "Java"]),
        ("Construção de Pipeline (ETL/ELT) no BigQuery.", ["ETL", "ELT", "BigQuery"]),  # "no" = "in the"
    ],
)
def test_find_skills_evaluation_fixes(text, expected):
    assert find_skills(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Azure Data FactoryProcessamento", "Azure Data Factory\nProcessamento"),
        ("SQLRequisitos", "SQL\nRequisitos"),
        ("GitHubExperiência", "GitHub\nExperiência"),
        ("DevOpsEngineer", "DevOps\nEngineer"),
        ("JavaScript", "JavaScript"),
        ("GitOps", "GitOps"),
        ("PrescritivosIA generativa", "Prescritivos\nIA generativa"),
        (
            "PostgreSQL, MongoDB, GraphQL, iOS, NoSQL, CircleCI",
            "PostgreSQL, MongoDB, GraphQL, iOS, NoSQL, CircleCI",
        ),
        ("plain text, nothing glued", "plain text, nothing glued"),
    ],
)
def test_unglue(text, expected):
    assert unglue(text) == expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        # unmistakable tags only: "go", "c", "node", "apache" are everyday words on Remote OK
        (["go", "golang", "senior"], ["Go"]),
        (["go", "c", "node", "apache", "python"], ["Python"]),
        (["ruby", "rails", "nodejs"], ["Ruby", "Ruby on Rails", "Node.js"]),
    ],
)
def test_skills_from_tags_unambiguous_only(tags, expected):
    assert skills_from_tags(tags, unambiguous_only=True) == expected
