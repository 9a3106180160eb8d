"""Campaigns in words: problems, the preview, the progress line, the summary, the CSV report."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.campaigns.files import (
    EmptyFile,
    EmptyTemplate,
    FileProblem,
    FileTooLarge,
    InvalidRow,
    NoPhoneColumn,
    NoValidRows,
    RenderProblem,
    RowsTooLong,
    TooManyRows,
    UndecodableFile,
    UnknownPlaceholders,
    UnreadableSpreadsheet,
    UnsupportedFile,
)
from bot.campaigns.service import Preview
from bot.render import digest, pack_messages
from bot.texts import t
from providers.base import DeliveryState
from storage.models import Campaign, CampaignProgress, CampaignReportRow, CampaignStatus

BAR_CELLS = 8
_FAILED = (DeliveryState.FAILED, DeliveryState.UNDELIVERED, DeliveryState.BLOCKED)


def invalid_row(lang: str, row: InvalidRow) -> str:
    """One invalid row: its number, what it held, why."""
    why = row.reason.split(":", 1)[0]
    return t(
        lang, "bulk.invalid_row", row=row.row, raw=row.raw or "-", why=t(lang, f"bulk.why.{why}")
    )


def file_problem(lang: str, problem: FileProblem) -> str:
    """Why a file cannot be a campaign."""
    if isinstance(problem, UnsupportedFile):
        return t(lang, "bulk.problem.unsupported", name=problem.file_name)
    if isinstance(problem, EmptyFile):
        return t(lang, "bulk.problem.empty")
    if isinstance(problem, FileTooLarge):
        return t(lang, "bulk.problem.too_large")
    if isinstance(problem, TooManyRows):
        return t(lang, "bulk.problem.too_many_rows", count=problem.count, limit=problem.limit)
    if isinstance(problem, UndecodableFile):
        return t(lang, "bulk.problem.undecodable")
    if isinstance(problem, UnreadableSpreadsheet):
        return t(lang, "bulk.problem.unreadable")
    if isinstance(problem, NoPhoneColumn):
        return t(lang, "bulk.problem.no_phone_column")
    return _no_valid_rows(lang, problem)


def _no_valid_rows(lang: str, problem: NoValidRows) -> str:
    lines = [t(lang, "bulk.problem.no_valid_rows", count=problem.count)]
    lines += [invalid_row(lang, row) for row in problem.invalid]
    return "\n".join(lines)


def render_problem(lang: str, problem: RenderProblem) -> str:
    """Why the rows' texts cannot be made."""
    if isinstance(problem, UnknownPlaceholders):
        return t(
            lang,
            "bulk.problem.unknown_placeholders",
            names=[f"{{{n}}}" for n in problem.names],
            columns=list(problem.columns) or "-",
        )
    if isinstance(problem, RowsTooLong):
        rows = [t(lang, "bulk.problem.long_row", row=r, parts=p) for r, p in problem.rows]
        return t(
            lang, "bulk.problem.rows_too_long", count=problem.count, limit=problem.limit, rows=rows
        )
    if isinstance(problem, EmptyTemplate):
        return t(lang, "bulk.problem.empty_template")
    return _no_valid_rows(lang, problem)


def preview_texts(lang: str, preview: Preview, file_name: str) -> list[str]:
    """The preview, in as many messages as Telegram needs (the buttons go on the last)."""
    if not preview.blacklist_checked:
        blacklisted = (
            t(lang, "bulk.blacklist_failed", reason=preview.blacklist_error)
            if preview.blacklist_error is not None
            else t(lang, "bulk.blacklist_unchecked")
        )
    else:
        blacklisted = str(preview.blacklisted)
    low, high = preview.parts_per_message
    parts = str(low) if low == high else t(lang, "bulk.parts_range", low=low, high=high)
    if preview.cost is None:
        cost = t(lang, "bulk.cost_unknown", reason=preview.price_error or "-")
    elif preview.credit is None:
        cost = str(preview.cost)
    else:
        cost = t(lang, "bulk.cost_known", cost=preview.cost, credit=preview.credit)
    campaign = preview.campaign
    lines = [
        t(
            lang,
            "bulk.preview",
            campaign_id=campaign.id,
            file=file_name,
            rows=preview.rows_read,
            valid=preview.valid,
            invalid=preview.invalid_count,
            duplicates=preview.duplicates,
            blacklisted=blacklisted,
            opted_out=preview.opted_out,
            to_send=preview.to_send,
            parts=parts,
            total_parts=preview.total_parts,
            cost=cost,
            account=campaign.account,
            line=campaign.line,
        )
    ]
    if preview.invalid:
        lines.append("")
        lines.append(t(lang, "bulk.invalid_header"))
        lines += [invalid_row(lang, row) for row in preview.invalid]
    if preview.empty_placeholders:
        lines.append("")
        lines.append(
            t(
                lang,
                "bulk.empty_placeholders",
                names=[f"{{{n}}}" for n in preview.empty_placeholders],
            )
        )
    lines.append("")
    lines.append(t(lang, "bulk.example", text=preview.example))
    if not preview.enough_credit:
        assert preview.cost is not None and preview.credit is not None
        lines.append("")
        lines.append(t(lang, "bulk.not_enough_credit", cost=preview.cost, credit=preview.credit))
    return list(pack_messages(lines, sep="\n"))


def _counts(campaign: Campaign, progress: CampaignProgress) -> tuple[int, int, int]:
    skipped = sum(progress.skipped.values())
    total = campaign.recipient_count - skipped
    queued = progress.states.get(DeliveryState.QUEUED, 0)
    done = total - progress.waiting - queued
    failed = sum(progress.states.get(s, 0) for s in _FAILED)
    return done, total, failed


def progress_text(
    lang: str, campaign: Campaign, progress: CampaignProgress, now: datetime | None = None
) -> str:
    """`12,400 / 50,000 — 24% ▓▓░░░░░░ — 3 failed`, and what the campaign is doing."""
    done, total, failed = _counts(campaign, progress)
    percent = done * 100 // total if total else 100
    filled = done * BAR_CELLS // total if total else BAR_CELLS
    bar = "▓" * filled + "░" * (BAR_CELLS - filled)
    head = t(
        lang,
        "bulk.progress",
        campaign_id=campaign.id,
        done=done,
        total=total,
        percent=percent,
        bar=bar,
        failed=failed,
    )
    return f"{head}\n{state_line(lang, campaign, now)}"


def state_line(lang: str, campaign: Campaign, now: datetime | None = None) -> str:
    """What a campaign is doing now, in words."""
    if campaign.status is CampaignStatus.DONE:
        return t(lang, "bulk.how.done")
    if campaign.status is CampaignStatus.CANCELLED:
        return t(lang, "bulk.how.cancelled")
    if campaign.status is CampaignStatus.PAUSED:
        if campaign.pause_reason and campaign.pause_reason != "user":
            reason = t(lang, f"reason.category.{campaign.pause_reason}")
            return t(lang, "bulk.state.paused_limit", reason=reason)
        return t(lang, "bulk.state.paused")
    if campaign.wait_reason is not None and campaign.wait_until is not None:
        return t(lang, f"bulk.state.{campaign.wait_reason}", time=campaign.wait_until)
    if campaign.not_before is not None and now is not None and campaign.not_before > now:
        return t(lang, "bulk.state.scheduled", time=campaign.not_before)
    return t(lang, "bulk.state.running")


def progress_buttons(lang: str, campaign: Campaign) -> InlineKeyboardMarkup | None:
    """Pause or Resume, and Cancel, while the campaign can still change."""
    if campaign.status is CampaignStatus.RUNNING:
        toggle = InlineKeyboardButton(
            t(lang, "button.bulk_pause"), callback_data=f"bulk:pause:{campaign.id}"
        )
    elif campaign.status is CampaignStatus.PAUSED:
        toggle = InlineKeyboardButton(
            t(lang, "button.bulk_resume"), callback_data=f"bulk:resume:{campaign.id}"
        )
    else:
        return None
    cancel = InlineKeyboardButton(
        t(lang, "button.bulk_cancel"), callback_data=f"bulk:no:{campaign.id}"
    )
    return InlineKeyboardMarkup([[toggle, cancel]])


def progress_digest(text: str, campaign: Campaign) -> str:
    """What the progress message shows: its text and which buttons."""
    return digest(f"{text}\x00{campaign.status.value}")


def summary_text(lang: str, campaign: Campaign, progress: CampaignProgress) -> str:
    """The counts at the end: delivered, failed, unknown, skipped (and the rest)."""
    states = progress.states
    failed = sum(states.get(s, 0) for s in _FAILED)
    sent = sum(
        states.get(s, 0)
        for s in (DeliveryState.SENT, DeliveryState.PENDING, DeliveryState.AT_CARRIER)
    )
    return t(
        lang,
        "bulk.summary",
        campaign_id=campaign.id,
        how=t(lang, f"bulk.how.{campaign.status.value}"),
        delivered=states.get(DeliveryState.DELIVERED, 0),
        sent=sent,
        failed=failed,
        unknown=states.get(DeliveryState.UNKNOWN, 0),
        skipped=sum(progress.skipped.values()),
        not_sent=progress.waiting + states.get(DeliveryState.QUEUED, 0),
    )


def report_csv(rows: list[CampaignReportRow]) -> bytes:
    """Every recipient's outcome as CSV (UTF-8 with BOM, so Excel reads Persian)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "number", "outcome", "code", "text"])
    for row in rows:
        writer.writerow([row.row_number, row.recipient, row.outcome, row.raw_code or "", row.text])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
