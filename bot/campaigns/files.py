"""Campaign files: a CSV, TXT or XLSX upload read into recipients, their fields and texts.

`read_campaign_file` finds the phone column (by header, else by content), the per-row text
column and the placeholder fields, and validates every number; `render_campaign` makes each
row's text from its own text or a template with `{field}` placeholders, appends the opt-out
suffix and checks parts. Every bad input is a typed problem (no texts here, no Telegram)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from python_calamine import CalamineWorkbook

from providers.parts import count_parts
from providers.phone import InvalidNumberError, normalize_mobile

MAX_FILE_BYTES: Final = 20 * 1024 * 1024  # what Telegram lets a bot download (getFile)
PHONE_HEADERS: Final = frozenset({"mobile", "phone", "number", "شماره", "موبایل", "تلفن"})
TEXT_HEADERS: Final = frozenset({"text", "متن"})
SUPPORTED: Final = (".csv", ".txt", ".xlsx")
_SNIFF_ROWS = 200  # rows looked at to find the phone column by content
_PLACEHOLDER = re.compile(r"\{([^{}\n]+)\}")
_ZIP_MAGIC = b"PK\x03\x04"


# ---------------------------------------------------------------- problems


@dataclass(frozen=True, slots=True)
class UnsupportedFile:
    """Not a CSV, TXT or XLSX file."""

    file_name: str


@dataclass(frozen=True, slots=True)
class EmptyFile:
    """The file holds no rows."""


@dataclass(frozen=True, slots=True)
class FileTooLarge:
    """Over the 20 MB a bot may download."""

    size: int
    limit: int


@dataclass(frozen=True, slots=True)
class TooManyRows:
    """More rows than `bulk.max_recipients`."""

    count: int
    limit: int


@dataclass(frozen=True, slots=True)
class UndecodableFile:
    """A text file in an encoding that is neither UTF-8 nor Windows-1256 (or not text)."""


@dataclass(frozen=True, slots=True)
class UnreadableSpreadsheet:
    """An .xlsx that cannot be opened as a workbook."""


@dataclass(frozen=True, slots=True)
class NoPhoneColumn:
    """No column is headed as a phone column, and none holds mostly numbers."""


@dataclass(frozen=True, slots=True)
class NoValidRows:
    """Every row is invalid (the first ten, with why)."""

    invalid: tuple[InvalidRow, ...]
    count: int


@dataclass(frozen=True, slots=True)
class UnknownPlaceholders:
    """The text names placeholders no column provides."""

    names: tuple[str, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RowsTooLong:
    """Rows whose text takes more parts than the provider accepts (the first ten)."""

    rows: tuple[tuple[int, int], ...]  # (row number, parts)
    limit: int
    count: int


@dataclass(frozen=True, slots=True)
class EmptyTemplate:
    """The text given for the campaign is empty."""


FileProblem = (
    UnsupportedFile
    | EmptyFile
    | FileTooLarge
    | TooManyRows
    | UndecodableFile
    | UnreadableSpreadsheet
    | NoPhoneColumn
    | NoValidRows
)
RenderProblem = UnknownPlaceholders | RowsTooLong | EmptyTemplate | NoValidRows


# ---------------------------------------------------------------- what a file holds


@dataclass(frozen=True, slots=True)
class InvalidRow:
    """A row that cannot be sent to: its row number (as a spreadsheet shows it) and why."""

    row: int
    raw: str
    reason: str  # "invalid_number: <reason>", "empty_number" or "empty_text"


@dataclass(frozen=True, slots=True)
class FileRow:
    """A valid row: its number (E.164), its own text if the file has a text column, fields."""

    row: int
    number: str
    text: str | None
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class CampaignFile:
    """A file read: rows read, valid (first occurrence of each number), invalid, duplicates."""

    rows_read: int
    phone_column: str
    text_column: str | None
    field_names: tuple[str, ...]
    rows: tuple[FileRow, ...]
    invalid: tuple[InvalidRow, ...]
    duplicates: int


def read_campaign_file(file_name: str, data: bytes, *, max_rows: int) -> CampaignFile | FileProblem:
    """Read an uploaded file into a `CampaignFile`, or the first reason it cannot be one."""
    if len(data) > MAX_FILE_BYTES:
        return FileTooLarge(len(data), MAX_FILE_BYTES)
    kind = _kind(file_name, data)
    if kind is None:
        return UnsupportedFile(file_name)
    if not data.strip():
        return EmptyFile()
    table: list[list[str]] | UndecodableFile | UnreadableSpreadsheet
    if kind == ".xlsx":
        table = _xlsx_rows(data)
    else:
        text = _decode(data)
        if text is None:
            return UndecodableFile()
        table = _txt_rows(text) if kind == ".txt" else _csv_rows(text)
    if isinstance(table, UndecodableFile | UnreadableSpreadsheet):
        return table
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        return EmptyFile()
    return _read_table(table, max_rows)


def _kind(file_name: str, data: bytes) -> str | None:
    name = file_name.lower().strip()
    for ext in SUPPORTED:
        if name.endswith(ext):
            if ext == ".xlsx" and not data.startswith(_ZIP_MAGIC):
                return None
            if ext != ".xlsx" and data.startswith(_ZIP_MAGIC):
                return None  # a workbook (or any archive) named .csv is not text
            return ext
    return None


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else Windows-1256 when it reads as Persian; else None."""
    if b"\x00" in data:
        return None  # UTF-16/32 or binary
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        return None
    return text if _reads_as_persian(text) else None


_PERSIAN_EXTRA = frozenset("«»×÷\u200c\u200d\u200e\u200f…’‘“”–—")


def _reads_as_persian(text: str) -> bool:
    # cp1256 maps nearly every byte, so any 8-bit file "decodes"; a Persian one is (nearly) all
    # Arabic-script letters and the few marks Persian uses among its non-ASCII characters.
    foreign = [ch for ch in text if ord(ch) > 0x7F]
    if not foreign:
        return True
    persian = sum(1 for ch in foreign if "\u0600" <= ch <= "\u06ff" or ch in _PERSIAN_EXTRA)
    # Latin-1 text read as cp1256 gives Arabic letters inside Latin words ("ئrّskّbing").
    return persian >= 0.9 * len(foreign) and _MIXED_WORD.search(text) is None


_MIXED_WORD = re.compile(r"[A-Za-z][\u0600-\u06ff]|[\u0600-\u06ff][A-Za-z]")


def _txt_rows(text: str) -> list[list[str]]:
    return [[line.strip()] for line in text.splitlines()]


def _csv_rows(text: str) -> list[list[str]]:
    sample = text[:65536]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(",;\t", key=first.count)
    return [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def _xlsx_rows(data: bytes) -> list[list[str]] | UnreadableSpreadsheet:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            return []
        sheet = workbook.get_sheet_by_index(0)
        return [[_cell(value) for value in row] for row in sheet.to_python(skip_empty_area=False)]
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        del error  # the workbook's own words name internals, not what the person can fix
        return UnreadableSpreadsheet()
    except Exception as error:  # calamine raises its own errors for broken workbooks
        if type(error).__module__.startswith("python_calamine"):
            return UnreadableSpreadsheet()
        raise


def _cell(value: object) -> str:
    # A phone number typed into Excel is a number: 9123456789.0 is "9123456789".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value).strip()


def _header_key(cell: str) -> str:
    return cell.strip().casefold()


def _read_table(table: list[list[str]], max_rows: int) -> CampaignFile | FileProblem:
    width = max(len(row) for row in table)
    header = [cell.strip() for cell in table[0]] + [""] * (width - len(table[0]))
    keys = [_header_key(cell) for cell in header]
    phone = next((i for i, key in enumerate(keys) if key in PHONE_HEADERS), None)
    text_at = next((i for i, key in enumerate(keys) if key in TEXT_HEADERS), None)
    has_header = phone is not None or text_at is not None or not _mostly_numbers(header)
    body = table[1:] if has_header else table
    first_row = 2 if has_header else 1
    if phone is None:
        phone = _numbers_column(body, width, skip=text_at)
        if phone is None:
            return NoPhoneColumn() if body else EmptyFile()
    if not body:
        return EmptyFile()
    if len(body) > max_rows:
        return TooManyRows(len(body), max_rows)
    names = header if has_header else [str(i + 1) for i in range(width)]
    field_at = [
        (i, names[i]) for i in range(width) if i not in (phone, text_at) and names[i].strip()
    ]
    rows: list[FileRow] = []
    invalid: list[InvalidRow] = []
    seen: set[str] = set()
    duplicates = 0
    for offset, cells in enumerate(body):
        number_row = first_row + offset
        raw = cells[phone] if phone < len(cells) else ""
        if not raw.strip():
            invalid.append(InvalidRow(number_row, raw, "empty_number"))
            continue
        try:
            number = normalize_mobile(raw)
        except InvalidNumberError as error:
            invalid.append(InvalidRow(number_row, raw, f"invalid_number: {error.reason}"))
            continue
        own_text: str | None = None
        if text_at is not None:
            own_text = cells[text_at] if text_at < len(cells) else ""
            if not own_text.strip():
                invalid.append(InvalidRow(number_row, raw, "empty_text"))
                continue
        if number in seen:
            duplicates += 1
            continue
        seen.add(number)
        fields = {name: (cells[i] if i < len(cells) else "") for i, name in field_at}
        rows.append(FileRow(number_row, number, own_text, fields))
    if not rows:
        return NoValidRows(tuple(invalid[:10]), len(invalid))
    return CampaignFile(
        rows_read=len(body),
        phone_column=names[phone],
        text_column=names[text_at] if text_at is not None else None,
        field_names=tuple(name for _, name in field_at),
        rows=tuple(rows),
        invalid=tuple(invalid),
        duplicates=duplicates,
    )


def _is_number(cell: str) -> bool:
    try:
        normalize_mobile(cell)
    except InvalidNumberError:
        return False
    return True


def _mostly_numbers(cells: Sequence[str]) -> bool:
    filled = [cell for cell in cells if cell.strip()]
    return bool(filled) and any(_is_number(cell) for cell in filled)


def _numbers_column(body: list[list[str]], width: int, *, skip: int | None) -> int | None:
    sample = body[:_SNIFF_ROWS]
    best: tuple[float, int] | None = None
    for column in range(width):
        if column == skip:
            continue
        values = [row[column] for row in sample if column < len(row) and row[column].strip()]
        if not values:
            continue
        share = sum(1 for value in values if _is_number(value)) / len(values)
        if share > 0.5 and (best is None or share > best[0]):
            best = (share, column)
    return best[1] if best is not None else None


# ---------------------------------------------------------------- rendering texts


@dataclass(frozen=True, slots=True)
class RenderedRow:
    """A recipient with the exact text it will be sent (suffix included) and its parts."""

    row: int
    number: str
    text: str
    parts: int
    encoding: str = "ucs2"  # "ucs2" or "gsm7": which part price applies


@dataclass(frozen=True, slots=True)
class RenderedCampaign:
    """Every valid row's text; the placeholders some row leaves empty."""

    rows: tuple[RenderedRow, ...]
    empty_placeholders: tuple[str, ...]
    distinct_texts: int
    max_parts: int
    total_parts: int
    parts_by_encoding: dict[str, int] = field(default_factory=dict)  # "ucs2"/"gsm7" → parts


def placeholders_in(text: str) -> list[str]:
    """The `{name}` placeholders of a text, in order, each once."""
    return list(dict.fromkeys(match.group(1).strip() for match in _PLACEHOLDER.finditer(text)))


def with_suffix(text: str, suffix: str) -> str:
    """The text with the opt-out suffix on its own line (once: not if it already ends so)."""
    suffix = suffix.strip()
    body = text.rstrip()
    if not suffix or body.endswith(suffix):
        return body
    return f"{body}\n{suffix}"


def render_campaign(
    campaign: CampaignFile,
    template: str | None,
    *,
    suffix: str,
    part_limit: int | None,
) -> RenderedCampaign | RenderProblem:
    """Each row's text (its own, or `template` with its fields), the suffix appended;
    refused when a placeholder names no column or a row's text is over `part_limit`."""
    if campaign.text_column is None and (template is None or not template.strip()):
        return EmptyTemplate()
    known = {name.strip().casefold(): name for name in campaign.field_names}
    sources = [template] if campaign.text_column is None else [r.text for r in campaign.rows]
    wanted: dict[str, None] = {}
    for source in sources:
        assert source is not None
        for name in placeholders_in(source):
            wanted.setdefault(name, None)
    unknown = [name for name in wanted if name.casefold() not in known]
    if unknown:
        return UnknownPlaceholders(tuple(unknown), campaign.field_names)
    rendered: list[RenderedRow] = []
    empty: dict[str, None] = {}
    too_long: list[tuple[int, int]] = []
    by_encoding: dict[str, int] = {}
    texts: set[str] = set()
    cache: dict[str, tuple[int, str]] = {}
    for row in campaign.rows:
        source = row.text if row.text is not None else template
        assert source is not None

        def fill(match: re.Match[str], row: FileRow = row) -> str:
            name = known[match.group(1).strip().casefold()]
            value = row.fields.get(name, "").strip()
            if not value:
                empty.setdefault(name, None)
            return value

        text = with_suffix(_PLACEHOLDER.sub(fill, source), suffix)
        counted = cache.get(text)
        if counted is None:
            count = count_parts(text)
            counted = (count.parts, count.encoding.value)
            if len(cache) < 100_000:
                cache[text] = counted
        parts, encoding = counted
        if part_limit is not None and parts > part_limit:
            too_long.append((row.row, parts))
            continue
        texts.add(text)
        by_encoding[encoding] = by_encoding.get(encoding, 0) + parts
        rendered.append(RenderedRow(row.row, row.number, text, parts, encoding))
    if too_long:
        assert part_limit is not None
        return RowsTooLong(tuple(too_long[:10]), part_limit, len(too_long))
    if any(not r.text.strip() for r in rendered):
        return EmptyTemplate()
    return RenderedCampaign(
        rows=tuple(rendered),
        empty_placeholders=tuple(empty),
        distinct_texts=len(texts),
        max_parts=max(r.parts for r in rendered),
        total_parts=sum(r.parts for r in rendered),
        parts_by_encoding=by_encoding,
    )


def iter_chunks(items: Sequence[RenderedRow], size: int) -> Iterator[Sequence[RenderedRow]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "MAX_FILE_BYTES",
    "CampaignFile",
    "EmptyFile",
    "EmptyTemplate",
    "FileProblem",
    "FileRow",
    "FileTooLarge",
    "InvalidRow",
    "NoPhoneColumn",
    "NoValidRows",
    "RenderProblem",
    "RenderedCampaign",
    "RenderedRow",
    "RowsTooLong",
    "TooManyRows",
    "UndecodableFile",
    "UnknownPlaceholders",
    "UnreadableSpreadsheet",
    "UnsupportedFile",
    "placeholders_in",
    "read_campaign_file",
    "render_campaign",
    "with_suffix",
]
