"""Markdown rendering keeps text, emphasis, lists and http(s)/mailto links, and nothing else."""

from __future__ import annotations

import re

import pytest

from huddles.topics.models import TopicRevision
from huddles.topics.rendering import localized, render_markdown

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<IMG SRC="javascript:alert(1);">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    "![img](javascript:alert(1))",
    '![img](x" onerror="alert(1))',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;inset:0">cover</div>',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)">',
    '<body onload="alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<a href='x' onclick='alert(1)'>x</a>",
    "<a href=x onmouseover=alert(1)>x</a>",
    "**bold** <b onmouseover=alert(1)>b</b>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!--<script>alert(1)</script>-->",
    '<a href="https://ok.example" target="_blank" style="color:red">ok</a>',
    '[x](https://ok.example "title" onclick=alert(1))',
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    '<a href="http://ok.example" formaction="javascript:alert(1)">x</a>',
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
    "[relative](/admin)",
    "[fragment](#top)",
    "[schemeless](//evil.example)",
]

FORBIDDEN = [
    re.compile(r"<\s*script", re.I),
    re.compile(
        r"<\s*(iframe|object|embed|form|input|svg|math|style|meta|link|base|img|video|audio|details|body)\b",
        re.I,
    ),
    re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    re.compile(r"<[^>]*\sstyle\s*=", re.I),
    re.compile(
        r"(href|src|action|formaction|data)\s*=\s*[\"']?\s*(javascript|vbscript|data):", re.I
    ),
    re.compile(r"<!--"),
]


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_nothing_executable_survives(source: str) -> None:
    html = str(render_markdown(source))
    for pattern in FORBIDDEN:
        assert not pattern.search(html), (source, html)
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://", "mailto:")), (source, html)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("**Today:** smile", "<p><strong>Today:</strong> smile</p>"),
        ("*one* _two_", "<p><em>one</em> <em>two</em></p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
        ("> a guest said", "<blockquote>\n<p>a guest said</p>\n</blockquote>"),
        ("a & b < c", "<p>a &amp; b &lt; c</p>"),
        (
            "[site](https://example.com/x?a=1&b=2)",
            '<p><a href="https://example.com/x?a=1&amp;b=2" rel="noopener noreferrer nofollow">'
            "site</a></p>",
        ),
        (
            "[mail](mailto:team@example.com)",
            '<p><a href="mailto:team@example.com" rel="noopener noreferrer nofollow">mail</a></p>',
        ),
    ],
)
def test_ordinary_markdown_is_kept(source: str, expected: str) -> None:
    assert str(render_markdown(source)) == expected


def test_a_javascript_link_keeps_its_text_but_loses_its_target() -> None:
    html = str(render_markdown("[press me](javascript:alert(1))"))
    assert "press me" in html
    assert "href" not in html


def test_script_content_is_dropped_not_shown() -> None:
    assert "alert" not in str(render_markdown("Hello <script>alert(1)</script> team"))


def test_empty_text_renders_to_nothing() -> None:
    assert str(render_markdown("")) == ""


def _revision(**translations: dict[str, str]) -> TopicRevision:
    return TopicRevision(
        title="Start with yes",
        prompt="When did you say no?",
        body="English body.",
        avoid="No problem.",
        say_instead="My pleasure.",
        translations=dict(translations),
    )


def test_localized_falls_back_field_by_field() -> None:
    revision = _revision(de={"title": "Zuerst ja", "body": "Deutscher Text."})
    text = localized(revision, "de")
    assert (text.title, text.body, text.prompt) == (
        "Zuerst ja",
        "Deutscher Text.",
        "When did you say no?",
    )
    assert text.say_instead == "My pleasure."
    assert text.lang == "de"


@pytest.mark.parametrize("locale", [None, "en", "pl", "de_AT"])
def test_localized_without_a_translation_is_english(locale: str | None) -> None:
    revision = _revision(ru={"title": "Сначала да"})
    text = localized(revision, locale)
    assert text.title == "Start with yes"
    assert text.lang == "en"


def test_localized_takes_the_language_of_a_regional_locale() -> None:
    revision = _revision(de={"title": "Zuerst ja"})
    assert localized(revision, "de_AT").title == "Zuerst ja"


def test_localized_is_frozen() -> None:
    text = localized(_revision(), "en")
    with pytest.raises(AttributeError):
        text.title = "changed"  # type: ignore[misc]
