"""`/bulk` in Telegram: the file (caption `/bulk`, or sent after `/bulk`) through getFile, the
text when the file has none, the preview with Send/Schedule/Cancel, and the buttons of the
progress message (Pause/Resume, Cancel). Only the uploader may press them, and only while
still an operator. Progress, summary and report are posted by `bot.campaigns.jobs`."""

from __future__ import annotations

import asyncio
import logging
import warnings
from dataclasses import dataclass
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.access.handlers import asked, language_of, requires, role_name, sender_role
from bot.access.service import has_right
from bot.account.handlers import chat_sender
from bot.campaigns import render
from bot.campaigns.files import (
    MAX_FILE_BYTES,
    CampaignFile,
    FileTooLarge,
    RenderedCampaign,
    read_campaign_file,
    render_campaign,
)
from bot.campaigns.service import (
    NothingToSend,
    cancel_campaign,
    pause_campaign,
    prepare_campaign,
    resume_campaign,
    start_campaign,
)
from bot.context import Context
from bot.schedule.when import WhenProblem, parse_when
from bot.texts import t
from storage.models import Campaign, CampaignStatus, Role

log = logging.getLogger(__name__)

ASK_FILE, ASK_TEXT, ASK_WHEN = range(3)
_PENDING: Final = "bulk_pending"  # chat_data: user id -> the file waiting for its text
_WHEN: Final = "bulk_when"  # chat_data: user id -> (campaign id, preview message id)
CAPTION_BULK: Final = filters.CaptionRegex(r"^/bulk(@\w+)?(\s|$)")
TEXT_ONLY: Final = filters.TEXT & ~filters.COMMAND
NOT_DOCUMENT: Final = ~filters.Document.ALL & ~filters.COMMAND & ~filters.StatusUpdate.ALL


@dataclass(frozen=True)
class PendingFile:
    """A file read, waiting for the campaign's text."""

    file_name: str
    file: CampaignFile
    message_id: int


def _pending(context: Context) -> dict[int, PendingFile]:
    chat_data = context.chat_data
    assert chat_data is not None, "/bulk runs in a chat"
    pending = chat_data.get(_PENDING)
    if not isinstance(pending, dict):
        pending = {}
        chat_data[_PENDING] = pending
    return pending


@requires(Role.OPERATOR)
async def bulk_command(update: Update, context: Context) -> int | None:
    """`/bulk` alone: asks for the file."""
    message, _user, lang = await asked(update, context)
    limit = context.bot_data.config.bulk.max_recipients
    await message.reply_html(t(lang, "bulk.ask_file", max=limit, placeholder="{name}"))
    return ASK_FILE


@requires(Role.OPERATOR)
async def bulk_document(update: Update, context: Context) -> int | None:
    """The campaign's file: downloaded, read, then the preview (or the question for a text)."""
    message, user, lang = await asked(update, context)
    document = message.document
    assert document is not None
    data = context.bot_data
    name = document.file_name or "file"
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        await message.reply_html(
            render.file_problem(lang, FileTooLarge(document.file_size, MAX_FILE_BYTES))
        )
        return ConversationHandler.END
    try:
        telegram_file = await context.bot.get_file(document.file_id)
        content = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as error:
        log.warning("bulk file %s could not be downloaded: %s", name, error)
        await message.reply_html(t(lang, "bulk.problem.download"))
        return ConversationHandler.END
    # A file of 50,000 rows takes a second or two to read: not on the event loop.
    read = await asyncio.to_thread(
        read_campaign_file, name, content, max_rows=data.config.bulk.max_recipients
    )
    if not isinstance(read, CampaignFile):
        await message.reply_html(render.file_problem(lang, read))
        return ConversationHandler.END
    await data.repo.audit(user.id, message.chat_id, "bulk_file", f"{name}: {read.rows_read} rows")
    if read.text_column is None:
        _pending(context)[user.id] = PendingFile(name, read, message.message_id)
        fields = [f"{{{field}}}" for field in read.field_names]
        await message.reply_html(
            t(
                lang,
                "bulk.ask_text",
                count=len(read.rows),
                fields=fields or t(lang, "bulk.no_fields"),
            )
        )
        return ASK_TEXT
    await _preview(update, context, name, read, None, message.message_id)
    return ConversationHandler.END


@requires(Role.OPERATOR)
async def bulk_not_document(update: Update, context: Context) -> int | None:
    """Something other than a file while the file is awaited."""
    message, _user, lang = await asked(update, context)
    await message.reply_html(t(lang, "bulk.file_only"))
    return None


@requires(Role.OPERATOR)
async def bulk_text(update: Update, context: Context) -> int | None:
    """The campaign's text (for a file without a text column), then the preview."""
    message, user, lang = await asked(update, context)
    pending = _pending(context).pop(user.id, None)
    if pending is None:
        await message.reply_html(t(lang, "flow_expired"))
        return ConversationHandler.END
    await _preview(
        update, context, pending.file_name, pending.file, message.text or "", message.message_id
    )
    return ConversationHandler.END


async def bulk_cancel(update: Update, context: Context) -> int:
    """/cancel while /bulk waits: nothing stored, nothing sent."""
    message, user, lang = await asked(update, context)
    _pending(context).pop(user.id, None)
    await message.reply_html(t(lang, "cancelled"))
    return ConversationHandler.END


async def _preview(
    update: Update,
    context: Context,
    file_name: str,
    read: CampaignFile,
    template: str | None,
    source_message_id: int,
) -> None:
    message, user, lang = await asked(update, context)
    data = context.bot_data
    account, line = await chat_sender(data, message.chat_id)
    rendered = await asyncio.to_thread(
        render_campaign,
        read,
        template,
        suffix=data.config.bulk.opt_out_suffix,
        part_limit=account.part_limit,
    )
    if not isinstance(rendered, RenderedCampaign):
        await message.reply_html(render.render_problem(lang, rendered))
        return
    preview = await prepare_campaign(
        data.repo,
        account,
        line=line,
        file=read,
        file_name=file_name,
        rendered=rendered,
        template=template,
        opted_out=await opted_out_numbers(context, line, [r.number for r in rendered.rows]),
        idempotency_key=f"bulk:{message.chat_id}:{source_message_id}",
        chat_id=message.chat_id,
        user_id=user.id,
    )
    if isinstance(preview, NothingToSend):
        await message.reply_html(
            t(
                lang,
                "bulk.problem.nothing_to_send",
                blacklisted=preview.blacklisted,
                opted_out=preview.opted_out,
            )
        )
        return
    campaign_id = preview.campaign.id
    buttons = [
        InlineKeyboardButton(t(lang, "button.bulk_cancel"), callback_data=f"bulk:no:{campaign_id}")
    ]
    if preview.enough_credit:
        buttons = [
            InlineKeyboardButton(
                t(lang, "button.bulk_send"), callback_data=f"bulk:go:{campaign_id}"
            ),
            InlineKeyboardButton(
                t(lang, "button.bulk_schedule"), callback_data=f"bulk:at:{campaign_id}"
            ),
            *buttons,
        ]
    texts = render.preview_texts(lang, preview, file_name)
    for index, text in enumerate(texts):
        markup = InlineKeyboardMarkup([buttons]) if index == len(texts) - 1 else None
        await message.reply_html(text, reply_markup=markup)
    await data.repo.audit(
        user.id, message.chat_id, "bulk_preview", f"#c{campaign_id} {preview.to_send}"
    )


async def opted_out_numbers(context: Context, line: str, numbers: list[str]) -> set[str]:
    """The numbers among `numbers` that opted out of `line`."""
    return await context.bot_data.repo.opted_out_among(line, numbers)


# ---------------------------------------------------------------- buttons


async def bulk_button(update: Update, context: Context) -> None:
    """A campaign's button: Send, Schedule, Cancel on the preview; Pause, Resume, Cancel on
    its progress. Only its uploader, only while still an operator; else nothing changes."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = context.bot_data
    lang = await language_of(data, user.id)
    _, action, raw_id = (query.data or "").split(":", 2)
    campaign = await data.repo.get_campaign(int(raw_id)) if raw_id.isdigit() else None
    if campaign is None:
        await query.answer(t(lang, "bulk.gone"), show_alert=True)
        return
    chat_id = query.message.chat.id if query.message is not None else None
    if campaign.requested_by != user.id:
        log.info("user %s pressed a button of campaign %s (not theirs)", user.id, campaign.id)
        await data.repo.audit(user.id, chat_id, "refused", f"bulk {action} #c{campaign.id}")
        await query.answer(t(lang, "bulk.not_yours"), show_alert=True)
        return
    role = await sender_role(update, context)
    if not has_right(role, Role.OPERATOR):
        await data.repo.audit(user.id, chat_id, "refused", f"bulk {action} #c{campaign.id}")
        await query.answer(
            t(lang, "flow_refused_right", role=role_name(lang, role)), show_alert=True
        )
        return
    changed: Campaign | None
    if action == "go":
        changed = await start_campaign(data.repo, campaign.id)
    elif action == "at":
        await query.answer(t(lang, "flow_expired"), show_alert=True)  # its flow has ended
        return
    elif action == "pause":
        changed = await pause_campaign(data.repo, campaign.id)
    elif action == "resume":
        changed = await resume_campaign(data.repo, campaign.id)
    elif action == "no":
        changed = await cancel_campaign(data.repo, campaign.id)
    else:
        changed = None
    if changed is None:
        await query.answer(t(lang, "bulk.gone"), show_alert=True)
        return
    await query.answer()
    await data.repo.audit(user.id, chat_id, f"bulk_{action}", f"#c{campaign.id}")
    preview = query.message
    if action == "go" and isinstance(preview, Message):
        await preview.edit_reply_markup(reply_markup=None)
        await post_progress(context, changed, lang, preview)
    elif (
        action == "no" and campaign.status is CampaignStatus.DRAFT and isinstance(preview, Message)
    ):
        await preview.edit_reply_markup(reply_markup=None)
        await preview.reply_html(t(lang, "bulk.cancelled", campaign_id=campaign.id))
        await data.repo.claim_summary(campaign.id)  # a draft cancelled has nothing to sum up


async def post_progress(context: Context, campaign: Campaign, lang: str, preview: Message) -> None:
    """The campaign's one progress message, edited by the progress job from now on."""
    data = context.bot_data
    progress = await data.repo.campaign_progress(campaign.id)
    text = render.progress_text(lang, campaign, progress, data.clock())
    sent = await preview.reply_html(text, reply_markup=render.progress_buttons(lang, campaign))
    await data.repo.set_progress_message(
        campaign.id, sent.chat_id, sent.message_id, render.progress_digest(text, campaign)
    )


async def pressed_own(update: Update, context: Context) -> tuple[Campaign, str] | None:
    """The campaign of the pressed button if the presser uploaded it and is still an
    operator; else None, after saying why (nothing changes)."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = context.bot_data
    lang = await language_of(data, user.id)
    raw_id = (query.data or "").rsplit(":", 1)[-1]
    campaign = await data.repo.get_campaign(int(raw_id)) if raw_id.isdigit() else None
    chat_id = query.message.chat.id if query.message is not None else None
    if campaign is None:
        await query.answer(t(lang, "bulk.gone"), show_alert=True)
        return None
    if campaign.requested_by != user.id:
        await data.repo.audit(user.id, chat_id, "refused", f"bulk schedule #c{campaign.id}")
        await query.answer(t(lang, "bulk.not_yours"), show_alert=True)
        return None
    role = await sender_role(update, context)
    if not has_right(role, Role.OPERATOR):
        await data.repo.audit(user.id, chat_id, "refused", f"bulk schedule #c{campaign.id}")
        await query.answer(
            t(lang, "flow_refused_right", role=role_name(lang, role)), show_alert=True
        )
        return None
    return campaign, lang


async def bulk_schedule_button(update: Update, context: Context) -> int | None:
    """Schedule pressed on the preview: asks for the start time (the forms of /schedule)."""
    own = await pressed_own(update, context)
    if own is None:
        return None
    campaign, lang = own
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if campaign.status is not CampaignStatus.DRAFT:
        await query.answer(t(lang, "bulk.gone"), show_alert=True)
        return None
    await query.answer()
    preview_id = query.message.message_id if query.message is not None else 0
    _whens(context)[user.id] = (campaign.id, preview_id)
    if isinstance(query.message, Message):
        await query.message.reply_html(t(lang, "bulk.ask_when", campaign_id=campaign.id))
    return ASK_WHEN


def _whens(context: Context) -> dict[int, tuple[int, int]]:
    chat_data = context.chat_data
    assert chat_data is not None, "/bulk runs in a chat"
    whens = chat_data.get(_WHEN)
    if not isinstance(whens, dict):
        whens = {}
        chat_data[_WHEN] = whens
    return whens


@requires(Role.OPERATOR)
async def bulk_when(update: Update, context: Context) -> int | None:
    """The campaign's start time: refused (asked again) if it cannot be read or has passed."""
    message, user, lang = await asked(update, context)
    data = context.bot_data
    pending = _whens(context).get(user.id)
    if pending is None:
        await message.reply_html(t(lang, "flow_expired"))
        return ConversationHandler.END
    campaign_id, preview_id = pending
    at = parse_when(message.text or "", data.clock())
    if isinstance(at, WhenProblem):
        await message.reply_html(t(lang, f"bulk.when.{at.kind.value}", raw=at.text))
        return None
    _whens(context).pop(user.id, None)
    campaign = await start_campaign(data.repo, campaign_id, not_before=at)
    if campaign is None:
        await message.reply_html(t(lang, "bulk.gone"))
        return ConversationHandler.END
    await data.repo.audit(user.id, message.chat_id, "bulk_schedule", f"#c{campaign_id} {at}")
    if preview_id:
        try:
            await context.bot.edit_message_reply_markup(
                message.chat_id, preview_id, reply_markup=None
            )
        except TelegramError as error:
            log.info("preview of campaign %s kept its buttons: %s", campaign_id, error)
    await message.reply_html(t(lang, "bulk.scheduled", campaign_id=campaign_id, time=at))
    await post_progress(context, campaign, lang, message)
    return ConversationHandler.END


def campaign_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """The handlers of this feature: the /bulk flow and the campaigns' buttons."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[
                CommandHandler("bulk", bulk_command),
                MessageHandler(filters.Document.ALL & CAPTION_BULK, bulk_document),
                CallbackQueryHandler(bulk_schedule_button, pattern=r"^bulk:at:\d+$"),
            ],
            states={
                ASK_FILE: [
                    MessageHandler(filters.Document.ALL, bulk_document),
                    MessageHandler(NOT_DOCUMENT, bulk_not_document),
                ],
                ASK_TEXT: [MessageHandler(TEXT_ONLY, bulk_text)],
                ASK_WHEN: [MessageHandler(TEXT_ONLY, bulk_when)],
            },
            fallbacks=[CommandHandler("cancel", bulk_cancel)],
            conversation_timeout=900,
            per_chat=True,
            per_user=True,
            per_message=False,
        )
    return [conversation, CallbackQueryHandler(bulk_button, pattern=r"^bulk:")]


async def campaign_status(context: Context, lang: str, raw: str) -> str | None:
    """`/status c<id>`: a campaign's progress and counts; None if `raw` is not `c<id>`."""
    if not raw.lower().startswith("c") or not raw[1:].isdigit():
        return None
    data = context.bot_data
    campaign = await data.repo.get_campaign(int(raw[1:]))
    if campaign is None:
        return t(lang, "bulk.status_not_found", campaign_id=raw[1:])
    progress = await data.repo.campaign_progress(campaign.id)
    head = render.progress_text(lang, campaign, progress, data.clock())
    return f"{head}\n\n{render.summary_text(lang, campaign, progress)}"
