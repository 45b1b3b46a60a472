"""crawler.normalize.text — inputs are real snippets from tests fixtures (source in comments)."""

from __future__ import annotations

import pytest

from crawler.normalize.text import (
    clean_line,
    clean_markdown,
    clean_text,
    fix_mojibake,
    guess_language,
    html_to_text,
    remove_boilerplate,
    sanitize_html,
    sanitize_without_boilerplate,
    strip_boilerplate_text,
)

# --- HTML → text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # himalayas_jobs_api: link inside a paragraph, footer paragraph
        (
            '<p><a href="https://himalayas.app/companies/alignment-health">Alignment Health</a> is breaking '
            "the mold in conventional health care.</p><p>Originally posted on "
            '<a href="https://himalayas.app">Himalayas</a></p>',
            "Alignment Health is breaking the mold in conventional health care.\nOriginally posted on Himalayas",
        ),
        # greenhouse gitlab `content`: entity-escaped HTML
        (
            "&lt;div class=&quot;content-intro&quot;&gt;&lt;p&gt;GitLab is the intelligent orchestration "
            "platform for DevSecOps.&lt;/p&gt;&lt;/div&gt;",
            "GitLab is the intelligent orchestration platform for DevSecOps.",
        ),
        # remoteok: list items, <br/>, UTF-8 mojibake (â\x80\x99 = ’)
        (
            "<p>What You\u00e2\u0080\u0099ll Do</p><ul><li> Meet virtually with clients </li>"
            "<li> Develop relationships</li></ul><br/><br/>Thanks",
            "What You’ll Do\n- Meet virtually with clients\n- Develop relationships\nThanks",
        ),
        # arbeitnow (veeam): escaped HTML followed by a real <p>
        (
            "&lt;div class=&quot;content-intro&quot;&gt;&lt;p&gt;Veeam is the Data and AI Trust Company."
            '&lt;/p&gt;&lt;/div&gt;<p>Find <a href="https://www.arbeitnow.com">Jobs in Germany</a> on Arbeitnow</a>',
            "Veeam is the Data and AI Trust Company.\nFind Jobs in Germany on Arbeitnow",
        ),
        # gupy: &nbsp; runs and glued section titles stay as they are
        (
            "Vale Alimentação/Refeição:&nbsp;R$ 1.300 mensais&nbsp;&nbsp;&nbsp;no cartão flexível.",
            "Vale Alimentação/Refeição: R$ 1.300 mensais no cartão flexível.",
        ),
        # remotive: inline-styled paragraphs and spans (hand-trimmed)
        (
            '<p dir="ltr" style="line-height: 1.38;"><span style="font-weight: bold;">About the role'
            '</span></p><p style="margin-top: 0pt;">Support our clients.</p>',
            "About the role\nSupport our clients.",
        ),
        # scripts, styles and comments are dropped (hand-written)
        ("<div>a<script>alert(1)</script><style>p{}</style><!-- c -->b</div>", "a b"),
        ("<table><tr><th>Zone</th><td>$171,200</td></tr></table>", "Zone $171,200"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(html, expected):
    assert html_to_text(html) == expected


# --- plain text cleanup -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\x00b", "ab"),  # NUL byte (hand-written)
        ("a\x07b\x1b[0m", "ab[0m"),  # control characters (hand-written)
        ("  São   Paulo \t\u00a0 SP  ", "São Paulo SP"),
        ("line 1\r\n\r\n\r\n\r\nline 2", "line 1\n\nline 2"),
        # remoteok mojibake: "Â·Â Â" (· and NBSPs), "â\x80\x93" (–), "Â£" (£)
        ("Â·\u00c2\u00a0\u00c2\u00a0 3+ years", "· 3+ years"),
        ("($150,000 \u00e2\u0080\u0093 $175,000)", "($150,000 – $175,000)"),
        ("range is Â£57,000-Â£70,000.", "range is £57,000-£70,000."),
        # remoteok location "GdaÅ\x84sk"
        ("GdaÅ\x84sk", "Gdańsk"),
        # correct accented text is left alone
        ("Engenheiro de Dados Sênior | Automações com IA", "Engenheiro de Dados Sênior | Automações com IA"),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


def test_clean_line_and_mojibake_cp1252():
    # cp1252 flavour of mojibake (hand-written): â€™ = ’
    assert fix_mojibake("Youâ€™ll") == "You’ll"
    # only the segments (lines, text between tags) holding mojibake are repaired; the rest is kept
    # as it is, correct accents included (remoteok's "Youâ\x80\x99ll" next to clean Portuguese)
    mixed = "<p>Você é a pessoa certa? Área: Dados</p><p>What Youâ\x80\x99ll Do</p>\nSão Paulo – remoto"
    assert fix_mojibake(mixed) == (
        "<p>Você é a pessoa certa? Área: Dados</p><p>What You’ll Do</p>\nSão Paulo – remoto"
    )
    assert fix_mojibake("line one\nYouâ€™ll\nline three") == "line one\nYou’ll\nline three"
    assert clean_line(" CNA  / LPN - Consistent Hours. \n Start Next Week. ") == (
        "CNA / LPN - Consistent Hours. Start Next Week."
    )


# --- markdown ---------------------------------------------------------------------------------

SEED_SNIPPET = (
    "**Location:** Latin America (Remote) **Experience:** 7\\+ years **English:** C1 level "
    "**Compensation:** **$8,000 USD / month** **About the Role** We are seeking an exceptional "
    "**Senior/Principal Backend Engineer** with deep expertise in **Ruby on Rails** and high\\-traffic "
    "systems. **Responsibilities** * Design, build, and maintain APIs using **Ruby on Rails** . "
    "* Lead architectural decisions. * Conduct code reviews."
)


def test_clean_markdown_seed_snippet():
    assert clean_markdown(SEED_SNIPPET) == (
        "Location: Latin America (Remote)\n"
        "Experience: 7+ years\n"
        "English: C1 level\n"
        "Compensation: $8,000 USD / month\n"
        "About the Role\n"
        "We are seeking an exceptional Senior/Principal Backend Engineer with deep expertise in "
        "Ruby on Rails and high-traffic systems.\n"
        "Responsibilities\n"
        "- Design, build, and maintain APIs using Ruby on Rails.\n"
        "- Lead architectural decisions.\n"
        "- Conduct code reviews."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7\\+ years", "7+ years"),
        ("C1\\-level English", "C1-level English"),
        ("e\\-commerce, Big\\-O\\.", "e-commerce, Big-O."),
        ("__bold__ text", "bold text"),
        # remoteok: "ranging**$150-200k/year**"
        ("ranging**$150-200k/year** based on experience", "ranging$150-200k/year based on experience"),
        # a single inline " * " is not a bullet list (hand-written)
        ("2 * 3 = 6", "2 * 3 = 6"),
        ("* first\n* second", "- first\n- second"),
        ("snake_case_name", "snake_case_name"),
    ],
)
def test_clean_markdown(text, expected):
    assert clean_markdown(text) == expected


# --- boilerplate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # seed (Job For Dev)
        ("Descrição da Vaga\nWe are seeking", "We are seeking"),
        (
            "Full-time, remote position.\nVaga originalmente publicada em: linkedin\n"
            "💼 Encontre as melhores oportunidades para desenvolvedores no Job For Dev",
            "Full-time, remote position.",
        ),
        # himalayas footer glued to the last sentence
        (
            "please email .Originally posted on Himalayas",
            "please email .",
        ),
        # remoteok anti-spam sentence
        (
            "Interest in growth and advancement\nPlease mention the word **REFORMS** and tag "
            "RMjcuMTA5LjExNS4xNTU= when applying to show you read the job post completely "
            "(#RMjcuMTA5LjExNS4xNTU=). This is a beta feature to avoid spam applicants. Companies can "
            "search these words to find applicants that read this and see they're human.",
            "Interest in growth and advancement",
        ),
        # arbeitnow footer
        ("Mit sportlichen Grüßen\nFind Jobs in Germany on Arbeitnow", "Mit sportlichen Grüßen"),
        # a description that only *mentions* the heading words keeps them (hand-written)
        ("A descrição da vaga está abaixo.", "A descrição da vaga está abaixo."),
    ],
)
def test_strip_boilerplate(text, expected):
    assert strip_boilerplate_text(text) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Role.</p><p>Vaga originalmente publicada em: linkedin</p>", "<p>Role.</p>"),
        (
            '<p>Descrição da Vaga</p><p>Role.</p><p>Vaga originalmente publicada em: <a href="https://x.example">'
            "linkedin</a></p>",
            "<p>Role.</p>",
        ),
        # himalayas footer paragraph
        (
            '<p>Care.</p><p>Originally posted on <a href="https://himalayas.app">Himalayas</a></p>',
            "<p>Care.</p>",
        ),
        # a paragraph that only mentions the words is kept (hand-written)
        ("<p>A descrição da vaga está abaixo.</p>", "<p>A descrição da vaga está abaixo.</p>"),
    ],
)
def test_sanitize_without_boilerplate(html, expected):
    assert sanitize_without_boilerplate(html) == expected


def test_remove_boilerplate_keeps_other_text():
    assert remove_boilerplate("Role.\nVaga originalmente publicada em: linkedin") == "Role.\n"


# --- sanitized HTML -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # hand-written attacks
        ('<p onclick="steal()">Hi</p><script>alert(1)</script>', "<p>Hi</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'),
        ('<iframe src="https://evil.example"></iframe><style>p{}</style>ok', "ok"),
        ('<img src=x onerror="alert(1)">text', "text"),
        # real: remotive inline styles and classes are dropped, structure kept
        (
            '<p class="h3" style="border-color: #e5e7eb;">Coalition Technologies is seeking</p>'
            "<ul><li><strong>Bookkeeping</strong></li></ul>",
            "<p>Coalition Technologies is seeking</p><ul><li><strong>Bookkeeping</strong></li></ul>",
        ),
        # real: himalayas link keeps href
        (
            '<p><a href="https://himalayas.app/companies/mercor">Mercor</a></p>',
            '<p><a href="https://himalayas.app/companies/mercor" rel="nofollow noopener noreferrer">Mercor</a></p>',
        ),
        (
            "<h3>About</h3><p>&nbsp;</p><table><tr><td>a</td></tr></table>",
            "<h3>About</h3><table><tbody><tr><td>a</td></tr></tbody></table>",
        ),
        (None, ""),
    ],
)
def test_sanitize_html(html, expected):
    assert sanitize_html(html) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Você é movido(a) por tecnologia, dados e inovação? Na Triggo.ai, transformamos desafios "
            "complexos em soluções inteligentes. Somos uma empresa brasileira focada em Analytics.",
            "pt",
        ),
        (
            "Coalition Technologies is seeking a reliable, detail-oriented, and highly organized Remote "
            "Office Assistant to support the team with all of our operations.",
            "en",
        ),
        ("Python Django AWS", None),
    ],
)
def test_guess_language(text, expected):
    assert guess_language(text) == expected
