"""Telegram's HTML parse_mode, as the Bot API server parses it (a port of tdlib's parse_html).

The parser walks the UTF-8 bytes like tdlib does, so error texts carry the same byte offsets
Telegram reports. One deliberate difference: a bare `&` that starts no entity is an error here
(Telegram keeps it as text; its documentation says it must be escaped, and a bot that leaves `&`
unescaped also turns a user's literal "&lt;" into "<"). Pass `strict_ampersand=False` to get
Telegram's lenient behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_SPACES = b" \t\r\n\f\v"
# tdlib trims these from both ends of a message text before checking it is non-empty.
_TRIMMED = " \t\r\n\f\v"
_LINK_PREFIXES = ("http://", "https://", "tg://", "ton://", "mailto:")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; `str(err)` is Telegram's wording (after the
    "can't parse entities: " prefix)."""


@dataclass(frozen=True)
class ParsedText:
    """Plain text as a person sees it and its MessageEntity dicts (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    result_pos: int


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, as Telegram counts message length."""
    return len(text.encode("utf-16-le")) // 2


def _at(data: bytes, i: int) -> int:
    # tdlib reads a NUL terminator past the end; mirror that so the loops read the same.
    return data[i] if i < len(data) else 0


def _is_space(c: int) -> bool:
    return c != 0 and c in _SPACES


def _is_alnum(c: int) -> bool:
    return c != 0 and (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122)


def _decode_entity(data: bytes, pos: int) -> tuple[int, int] | None:
    """The code point of the entity at `pos` and the position after it, or None."""
    end = pos + 1
    code = 0
    if _at(data, end) == ord("#"):
        end += 1
        if _at(data, end) == ord("x"):
            end += 1
            while chr(_at(data, end)) in "0123456789abcdefABCDEF":
                code = code * 16 + int(chr(data[end]), 16)
                end += 1
                if code >= 0x10FFFF:
                    return None
        else:
            while 48 <= _at(data, end) <= 57:
                code = code * 10 + data[end] - 48
                end += 1
                if code >= 0x10FFFF:
                    return None
        if code == 0 or code >= 0x10FFFF or end - pos >= 10 or 0xD800 <= code <= 0xDFFF:
            return None
    else:
        while chr(_at(data, end)).isascii() and chr(_at(data, end)).isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(data[pos + 1 : end])
        if named is None:
            return None
        code = named
    if _at(data, end) == ord(";"):
        end += 1
    return code, end


def _is_link(url: str) -> bool:
    lowered = url.lower()
    if lowered.startswith(_LINK_PREFIXES):
        return len(url) > lowered.index(":") + 1
    host = lowered.split("/", 1)[0]
    return "." in host and " " not in host and not host.startswith(".")


def parse_html(html: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse `html` as Telegram's HTML parse_mode; raise HtmlParseError with Telegram's text."""
    data = html.encode("utf-8")
    result = bytearray()
    utf16_offset = 0
    entities: list[dict[str, Any]] = []
    nested: list[_OpenTag] = []
    i = 0
    size = len(data)
    while i < size:
        c = data[i]
        if c == ord("&"):
            decoded = _decode_entity(data, i)
            if decoded is not None:
                code, i = decoded
                utf16_offset += 1 + (code > 0xFFFF)
                result += chr(code).encode("utf-8")
                continue
            if strict_ampersand:
                raise HtmlParseError(
                    f'Character "&" must be escaped as "&amp;" at byte offset {i} '
                    "(the fake is stricter than Telegram here)"
                )
        if c != ord("<"):
            result.append(c)
            if c & 0xC0 != 0x80:  # first byte of a UTF-8 character
                utf16_offset += 1 + (c >= 0xF0)
            i += 1
            continue
        begin = i
        i += 1
        if _at(data, i) != ord("/"):
            i = _open_tag(data, begin, i, nested, utf16_offset, len(result))
        else:
            i = _close_tag(data, begin, i, nested, entities, result, utf16_offset)
    if nested:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # only a <pre><code class=…> keeps its language
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(result.decode("utf-8"), entities)


def _open_tag(
    data: bytes, begin: int, i: int, nested: list[_OpenTag], utf16_offset: int, result_pos: int
) -> int:
    while _at(data, i) and not _is_space(data[i]) and data[i] != ord(">"):
        i += 1
    if _at(data, i) == 0:
        raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
    tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
    if tag not in SUPPORTED_TAGS:
        raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
    argument = ""
    while _at(data, i) != ord(">"):
        while _is_space(_at(data, i)):
            i += 1
        if _at(data, i) == ord(">"):
            break
        name_begin = i
        while _at(data, i) and not _is_space(data[i]) and data[i] not in b"=>":
            i += 1
        attribute = data[name_begin:i].decode("utf-8", "replace")
        if not attribute:
            raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while _is_space(_at(data, i)):
            i += 1
        if _at(data, i) != ord("="):
            if tag == "blockquote" and attribute == "expandable":
                argument = "1"
                continue
            if _at(data, i) == 0:
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            raise HtmlParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {begin}'
            )
        i += 1
        while _is_space(_at(data, i)):
            i += 1
        if _at(data, i) == 0:
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value, i = _attribute_value(data, i)
        if _at(data, i) == 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        if (
            (tag == "a" and attribute == "href")
            or (tag == "tg-emoji" and attribute == "emoji-id")
            or (tag == "code" and attribute == "class" and value.startswith("language-"))
            or (tag == "span" and attribute == "class" and value.startswith("tg-"))
        ):
            argument = value
    if tag == "span" and argument != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    nested.append(_OpenTag(tag, argument, utf16_offset, result_pos))
    return i + 1


def _attribute_value(data: bytes, i: int) -> tuple[str, int]:
    quote = data[i]
    if quote not in b"'\"":
        # An unquoted name token: letters, digits, periods, hyphens; case-insensitive.
        start = i
        while _is_alnum(_at(data, i)) or _at(data, i) in b".-":
            i += 1
        if not _is_space(_at(data, i)) and _at(data, i) != ord(">"):
            raise HtmlParseError(f"Unexpected end of name token at byte offset {start}")
        return data[start:i].decode("utf-8", "replace").lower(), i
    i += 1
    value = bytearray()
    while _at(data, i) and data[i] != quote:
        if data[i] == ord("&"):
            decoded = _decode_entity(data, i)
            if decoded is not None:
                code, i = decoded
                value += chr(code).encode("utf-8")
                continue
        value.append(data[i])
        i += 1
    if _at(data, i) == quote:
        i += 1
    return value.decode("utf-8", "replace"), i


def _close_tag(
    data: bytes,
    begin: int,
    i: int,
    nested: list[_OpenTag],
    entities: list[dict[str, Any]],
    result: bytearray,
    utf16_offset: int,
) -> int:
    if not nested:
        raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
    while _at(data, i) and not _is_space(data[i]) and data[i] != ord(">"):
        i += 1
    end_name = data[begin + 2 : i].decode("utf-8", "replace")
    while _is_space(_at(data, i)):
        i += 1
    if _at(data, i) != ord(">"):
        raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
    opened = nested.pop()
    if end_name and end_name != opened.name:
        raise HtmlParseError(
            f'Unmatched end tag at byte offset {begin}, expected "</{opened.name}>", '
            f'found "</{end_name}>"'
        )
    length = utf16_offset - opened.utf16_offset
    if length > 0:
        entity = _entity(opened, length, entities, result)
        if entity is not None:
            entities.append(entity)
    return i + 1


def _entity(
    opened: _OpenTag, length: int, entities: list[dict[str, Any]], result: bytearray
) -> dict[str, Any] | None:
    base: dict[str, Any] = {"offset": opened.utf16_offset, "length": length}
    tag = opened.name
    if tag in _SIMPLE_TYPES:
        return {"type": _SIMPLE_TYPES[tag], **base}
    if tag == "a":
        url = opened.argument or result[opened.result_pos :].decode("utf-8", "replace")
        # Telegram silently drops a link whose URL it cannot use; the text stays.
        return {"type": "text_link", **base, "url": url} if _is_link(url) else None
    if tag == "code":
        language = opened.argument.removeprefix("language-")
        return {"type": "code", **base, **({"language": language} if language else {})}
    if tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == base["offset"]
            and last["length"] == length
            and "language" in last
        ):
            entities.pop()
            return {"type": "pre", **base, "language": last["language"]}
        return {"type": "pre", **base}
    if tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        return {"type": kind, **base}
    if tag == "tg-emoji":
        return {"type": "custom_emoji", **base, "custom_emoji_id": opened.argument}
    return None


def trim(parsed: ParsedText) -> ParsedText:
    """Strip leading and trailing whitespace as Telegram does before sending, moving entities."""
    text = parsed.text
    stripped_front = text.lstrip(_TRIMMED)
    front = utf16_len(text) - utf16_len(stripped_front)
    trimmed = stripped_front.rstrip(_TRIMMED)
    total = utf16_len(trimmed)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - front, 0)
        end = min(entity["offset"] + entity["length"] - front, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(trimmed, entities)


def plain_entities(text: str) -> ParsedText:
    """Text sent without parse_mode: no entities, whitespace trimmed."""
    return trim(ParsedText(text, []))
