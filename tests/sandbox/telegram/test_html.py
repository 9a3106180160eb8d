"""Telegram's HTML parse_mode as the fake parses it: text, entities, and Telegram's error texts."""

from __future__ import annotations

import html
from typing import Any

import pytest

from sandbox.telegram.html import HtmlParseError, parse_html, trim, utf16_len

VALID: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("plain text", "plain text", []),
    ("<b>bold</b>", "bold", [{"type": "bold", "offset": 0, "length": 4}]),
    ("<strong>s</strong>", "s", [{"type": "bold", "offset": 0, "length": 1}]),
    (
        "<b>bold <i>both</i></b> x",
        "bold both x",
        [{"type": "bold", "offset": 0, "length": 9}, {"type": "italic", "offset": 5, "length": 4}],
    ),
    (
        "<em>e</em><u>u</u>",
        "eu",
        [
            {"type": "italic", "offset": 0, "length": 1},
            {"type": "underline", "offset": 1, "length": 1},
        ],
    ),
    ("<ins>i</ins>", "i", [{"type": "underline", "offset": 0, "length": 1}]),
    (
        "<s>a</s><strike>b</strike><del>c</del>",
        "abc",
        [
            {"type": "strikethrough", "offset": 0, "length": 1},
            {"type": "strikethrough", "offset": 1, "length": 1},
            {"type": "strikethrough", "offset": 2, "length": 1},
        ],
    ),
    ('<span class="tg-spoiler">x</span>', "x", [{"type": "spoiler", "offset": 0, "length": 1}]),
    ("<tg-spoiler>x</tg-spoiler>", "x", [{"type": "spoiler", "offset": 0, "length": 1}]),
    (
        '<a href="https://example.com/?a=1&amp;b=2">link</a>',
        "link",
        [{"type": "text_link", "offset": 0, "length": 4, "url": "https://example.com/?a=1&b=2"}],
    ),
    ("<code>x = 1</code>", "x = 1", [{"type": "code", "offset": 0, "length": 5}]),
    ("<pre>block</pre>", "block", [{"type": "pre", "offset": 0, "length": 5}]),
    (
        '<pre><code class="language-python">print(1)</code></pre>',
        "print(1)",
        [{"type": "pre", "offset": 0, "length": 8, "language": "python"}],
    ),
    ("<blockquote>q</blockquote>", "q", [{"type": "blockquote", "offset": 0, "length": 1}]),
    (
        "<blockquote expandable>q</blockquote>",
        "q",
        [{"type": "expandable_blockquote", "offset": 0, "length": 1}],
    ),
    (
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "👍",
        [
            {
                "type": "custom_emoji",
                "offset": 0,
                "length": 2,
                "custom_emoji_id": "5368324170671202286",
            }
        ],
    ),
    ("&lt;&gt;&amp;&quot;", '<>&"', []),
    ("&#1587;&#x644;&#x627;&#1605;", "سلام", []),
    ("&lt without semicolon", "< without semicolon", []),
    ("a > b", "a > b", []),
    ("<B>upper</b>", "upper", [{"type": "bold", "offset": 0, "length": 5}]),
    ("😀<b>x</b>", "😀x", [{"type": "bold", "offset": 2, "length": 1}]),
    ("<b></b>", "", []),
    ("سلام <b>دنیا</b>", "سلام دنیا", [{"type": "bold", "offset": 5, "length": 4}]),
]

INVALID: list[tuple[str, str]] = [
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("x<3 love", 'Unsupported start tag "3" at byte offset 1'),
    ("x<3", "Unclosed start tag at byte offset 1"),
    ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
    ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
    ("سلام <p>x</p>", 'Unsupported start tag "p" at byte offset 9'),
    ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b", "Unclosed start tag at byte offset 0"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
    (
        "<a href>y</a>",
        'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
    ),
    ("AT&T", 'Character "&" must be escaped as "&amp;" at byte offset 2'),
    ("&nbsp;", 'Character "&" must be escaped as "&amp;" at byte offset 0'),
]


@pytest.mark.parametrize(("source", "text", "entities"), VALID)
def test_valid_html_gives_the_text_a_person_sees_and_its_entities(
    source: str, text: str, entities: list[dict[str, Any]]
) -> None:
    parsed = parse_html(source)
    assert parsed.text == text
    assert parsed.entities == entities


@pytest.mark.parametrize(("source", "error"), INVALID)
def test_invalid_html_is_refused_with_telegrams_wording(source: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert str(caught.value).startswith(error)


def test_a_bare_ampersand_is_kept_when_not_strict_as_telegram_does() -> None:
    assert parse_html("AT&T &nbsp;", strict_ampersand=False).text == "AT&T &nbsp;"


@pytest.mark.parametrize(
    "body", ["a < b & c > d", "<script>alert(1)</script>", "&lt;b&gt;", "ok & <b>not</b> bold"]
)
def test_html_escaped_text_always_parses_back_to_itself(body: str) -> None:
    assert parse_html(html.escape(body)).text == body


@pytest.mark.parametrize(
    ("text", "units"), [("", 0), ("abc", 3), ("سلام", 4), ("😀", 2), ("a😀b", 4), ("👍🏽", 4)]
)
def test_utf16_length_counts_astral_characters_as_two(text: str, units: int) -> None:
    assert utf16_len(text) == units


def test_trim_strips_whitespace_and_moves_entities() -> None:
    parsed = trim(parse_html("\n  <b>x</b> y \n"))
    assert parsed.text == "x y"
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 1}]
