"""Campaign files: real CSV, TXT and XLSX files written here, read as the bot reads an upload."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pytest
from openpyxl import Workbook

from bot.campaigns.files import (
    MAX_FILE_BYTES,
    CampaignFile,
    EmptyFile,
    EmptyTemplate,
    FileTooLarge,
    NoPhoneColumn,
    NoValidRows,
    RenderedCampaign,
    RowsTooLong,
    TooManyRows,
    UndecodableFile,
    UnknownPlaceholders,
    UnreadableSpreadsheet,
    UnsupportedFile,
    read_campaign_file,
    render_campaign,
    with_suffix,
)


def csv_bytes(
    rows: Sequence[Sequence[object]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    other = book.create_sheet("second")
    other.append(["phone"])
    other.append(["09120000000"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


NAMED = [
    ["mobile", "name", "city"],
    ["09121111111", "Ali", "Tehran"],
    ["+98 912 222 2222", "سارا", "اصفهان"],
    ["۰۹۱۲۳۳۳۳۳۳۳", "Reza", ""],
]
# As Persian Excel saves it: Windows-1256 has no Persian digits (nor Persian yeh).
NAMED_1256 = [*NAMED[:3], ["09123333333", "Reza", ""]]


def read(name: str, data: bytes, max_rows: int = 50_000) -> CampaignFile:
    result = read_campaign_file(name, data, max_rows=max_rows)
    assert isinstance(result, CampaignFile), result
    return result


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("list.csv", csv_bytes(NAMED)),
        ("list.csv", b"\xef\xbb\xbf" + csv_bytes(NAMED)),
        ("list.csv", csv_bytes(NAMED, delimiter=";")),
        ("list.csv", csv_bytes(NAMED, delimiter="\t")),
        ("LIST.CSV", csv_bytes(NAMED_1256, encoding="cp1256")),
        ("list.xlsx", xlsx_bytes(NAMED)),
    ],
    ids=["utf8", "utf8-bom", "semicolon", "tab", "windows-1256", "xlsx"],
)
def test_every_form_reads_the_same_rows(name: str, data: bytes) -> None:
    campaign = read(name, data)
    assert campaign.phone_column == "mobile"
    assert campaign.text_column is None
    assert campaign.field_names == ("name", "city")
    assert [(r.row, r.number, r.fields["name"]) for r in campaign.rows] == [
        (2, "+989121111111", "Ali"),
        (3, "+989122222222", "سارا"),
        (4, "+989123333333", "Reza"),
    ]
    assert campaign.rows[1].fields["city"] == "اصفهان"


@pytest.mark.parametrize("header", ["Phone", "NUMBER", "شماره", "موبایل", "تلفن", " mobile "])
def test_the_phone_column_is_found_by_header_in_any_case(header: str) -> None:
    campaign = read("a.csv", csv_bytes([["name", header], ["Ali", "09121111111"]]))
    assert campaign.phone_column == header.strip()
    assert campaign.field_names == ("name",)


def test_the_phone_column_is_found_by_content_without_a_known_header() -> None:
    rows = [["who", "tel no"], ["Ali", "09121111111"], ["Sara", "9122222222"], ["x", "bad"]]
    campaign = read("a.csv", csv_bytes(rows))
    assert campaign.phone_column == "tel no"
    assert [r.number for r in campaign.rows] == ["+989121111111", "+989122222222"]
    assert [(i.row, i.raw) for i in campaign.invalid] == [(4, "bad")]


def test_a_file_without_header_is_all_rows() -> None:
    campaign = read("a.csv", csv_bytes([["09121111111", "Ali"], ["09122222222", "Sara"]]))
    assert [r.row for r in campaign.rows] == [1, 2]
    assert campaign.field_names == ("2",)


def test_txt_is_one_number_a_line_with_invalid_rows_and_duplicates() -> None:
    data = "09121111111\n\n9121111111\n0912\n۰۹۱۲۲۲۲۲۲۲۲\n".encode()
    campaign = read("numbers.txt", data)
    assert [r.number for r in campaign.rows] == ["+989121111111", "+989122222222"]
    assert campaign.duplicates == 1
    assert campaign.rows_read == 4
    assert [(i.row, i.raw) for i in campaign.invalid] == [(3, "0912")]
    assert campaign.invalid[0].reason.startswith("invalid_number")


def test_a_text_column_gives_each_row_its_text_and_an_empty_one_is_invalid() -> None:
    rows = [["متن", "شماره"], ["سلام {نام}", "09121111111"], ["", "09122222222"]]
    campaign = read("a.csv", csv_bytes(rows))
    assert campaign.text_column == "متن"
    assert campaign.rows[0].text == "سلام {نام}"
    assert [(i.row, i.reason) for i in campaign.invalid] == [(3, "empty_text")]


def test_excel_numbers_lose_no_digit() -> None:
    campaign = read("a.xlsx", xlsx_bytes([["mobile", "n"], [9121111111, 7], [989122222222, 8.5]]))
    assert [r.number for r in campaign.rows] == ["+989121111111", "+989122222222"]
    assert [r.fields["n"] for r in campaign.rows] == ["7", "8.5"]


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("list.pdf", b"%PDF-1.4", UnsupportedFile("list.pdf")),
        ("list.xls", b"\xd0\xcf\x11\xe0", UnsupportedFile("list.xls")),
        ("list.xlsx", b"mobile\n09121111111\n", UnsupportedFile("list.xlsx")),
        ("list.csv", xlsx_bytes(NAMED), UnsupportedFile("list.csv")),
        ("list.csv", b"", EmptyFile()),
        ("list.csv", b"\n \n,,\n", EmptyFile()),
        ("list.csv", b"mobile,name\n", EmptyFile()),
        ("list.xlsx", xlsx_bytes([]), EmptyFile()),
        ("list.csv", csv_bytes([["name", "city"], ["Ali", "Tehran"]]), NoPhoneColumn()),
        ("list.csv", "mobile\n09121111111\n".encode("utf-16"), UndecodableFile()),
        ("list.csv", "mobile,name\n09121111111,张伟\n".encode("gbk"), UndecodableFile()),
        (
            "list.csv",
            "mobile,name\n09121111111,Ærøskøbing ñandú\n".encode("latin-1"),
            UndecodableFile(),
        ),
        ("list.xlsx", b"PK\x03\x04broken", UnreadableSpreadsheet()),
    ],
    ids=[
        "pdf",
        "xls",
        "xlsx-not-zip",
        "zip-named-csv",
        "empty",
        "blank-rows",
        "header-only",
        "empty-sheet",
        "no-phone-column",
        "utf16",
        "gbk",
        "latin1",
        "broken-xlsx",
    ],
)
def test_bad_files_are_typed_problems(name: str, data: bytes, problem: object) -> None:
    assert read_campaign_file(name, data, max_rows=50_000) == problem


def test_over_20_mb_is_refused_before_reading() -> None:
    data = b"0" * (MAX_FILE_BYTES + 1)
    assert read_campaign_file("a.csv", data, max_rows=10) == FileTooLarge(
        MAX_FILE_BYTES + 1, MAX_FILE_BYTES
    )


def test_over_max_recipients_rows_is_refused() -> None:
    rows = [["mobile"]] + [[f"0912{i:07d}"] for i in range(11)]
    assert read_campaign_file("a.csv", csv_bytes(rows), max_rows=10) == TooManyRows(11, 10)
    assert isinstance(read_campaign_file("a.csv", csv_bytes(rows[:11]), max_rows=10), CampaignFile)


def test_every_row_invalid_lists_the_first_ten() -> None:
    rows = [["mobile"]] + [[f"021{i:08d}"] for i in range(12)]
    problem = read_campaign_file("a.csv", csv_bytes(rows), max_rows=100)
    assert isinstance(problem, NoValidRows)
    assert problem.count == 12
    assert [i.row for i in problem.invalid] == list(range(2, 12))


# ---------------------------------------------------------------- rendering


def test_a_template_is_filled_per_row_and_the_suffix_appended() -> None:
    campaign = read("a.csv", csv_bytes(NAMED))
    rendered = render_campaign(campaign, "سلام {name} از {City}", suffix="لغو11", part_limit=10)
    assert isinstance(rendered, RenderedCampaign)
    assert [r.text for r in rendered.rows] == [
        "سلام Ali از Tehran\nلغو11",
        "سلام سارا از اصفهان\nلغو11",
        "سلام Reza از\nلغو11",
    ]
    assert rendered.empty_placeholders == ("city",)
    assert (rendered.distinct_texts, rendered.max_parts, rendered.total_parts) == (3, 1, 3)


def test_the_suffix_counts_in_parts() -> None:
    campaign = read("a.txt", b"09121111111\n")
    text = "x" * 160
    plain = render_campaign(campaign, text, suffix="", part_limit=None)
    suffixed = render_campaign(campaign, text, suffix="STOP", part_limit=None)
    assert isinstance(plain, RenderedCampaign) and isinstance(suffixed, RenderedCampaign)
    assert (plain.max_parts, suffixed.max_parts) == (1, 2)


def test_a_suffix_already_there_is_not_doubled() -> None:
    assert with_suffix("hi\nلغو11 ", "لغو11") == "hi\nلغو11"
    assert with_suffix("hi", "") == "hi"


def test_a_placeholder_no_column_provides_is_refused() -> None:
    campaign = read("a.csv", csv_bytes(NAMED))
    problem = render_campaign(campaign, "hi {name} {family}", suffix="", part_limit=10)
    assert problem == UnknownPlaceholders(("family",), ("name", "city"))


def test_a_row_text_naming_an_unknown_placeholder_is_refused() -> None:
    rows = [["text", "mobile"], ["hi {nick}", "09121111111"]]
    problem = render_campaign(read("a.csv", csv_bytes(rows)), None, suffix="", part_limit=10)
    assert problem == UnknownPlaceholders(("nick",), ())


def test_rows_over_the_part_limit_are_named_by_row_number() -> None:
    rows = [["text", "mobile"], ["short", "09121111111"], ["س" * 700, "09122222222"]]
    problem = render_campaign(read("a.csv", csv_bytes(rows)), None, suffix="", part_limit=10)
    assert problem == RowsTooLong(((3, 11),), 10, 1)


def test_no_text_column_and_no_template_is_refused() -> None:
    campaign = read("a.txt", b"09121111111\n")
    assert render_campaign(campaign, None, suffix="", part_limit=10) == EmptyTemplate()
    assert render_campaign(campaign, "  ", suffix="x", part_limit=10) == EmptyTemplate()
