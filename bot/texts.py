"""Every text the bot shows, per language, in one place. Placeholders are HTML-escaped by `t`."""

from __future__ import annotations

import html
from typing import Final

LANGUAGES: Final = ("fa", "en")

_FA: dict[str, str] = {
    "refused": (
        "متأسفم، شما به این ربات دسترسی ندارید. برای دسترسی از یکی از مدیران بخواهید"
        " شما را اضافه کند (شناسهٔ شما: <code>{user_id}</code>)."
    ),
    "refused_right": "این دستور برای نقش «{role}» مجاز نیست.",
    "role.admin": "مدیر",
    "role.operator": "اپراتور",
    "role.viewer": "بیننده",
    "start": "سلام {name}! این کنسول پیامک است.\nنقش شما: <b>{role}</b>\n\nدستورها:\n{commands}",
    "cmd.start": "خوش‌آمد و راهنما",
    "cmd.help": "فهرست دستورها",
    "cmd.send": "ارسال پیامک: <code>/send 0912… متن</code> (یا فقط /send)",
    "cmd.status": "وضعیت یک ارسال: <code>/status شناسه</code>",
    "cmd.history": "پیامک‌های اخیر این گفتگو: <code>/history [تعداد]</code>",
    "cmd.credit": "اعتبار حساب‌ها",
    "cmd.lines": "خطوط حساب‌ها",
    "cmd.from": "خط پیش‌فرض ارسال در این گفتگو: <code>/from حساب یا خط</code>",
    "cmd.route": "پیامک‌های ورودی یک خط به این گفتگو: <code>/route خط</code>",
    "cmd.unroute": "لغو مسیر یک خط از این گفتگو: <code>/unroute خط</code>",
    "cmd.routes": "فهرست مسیرها",
    "cmd.allow": "دادن نقش: <code>/allow شناسه admin|operator|viewer</code>",
    "cmd.deny": "گرفتن دسترسی: <code>/deny شناسه</code>",
    "cmd.users": "فهرست کاربران",
    "cmd.language": "زبان: <code>/language fa</code> یا <code>/language en</code>",
    "cmd.cancel": "لغو گفتگوی جاری",
    "reply_hint": "برای پاسخ به یک پیامک، روی پیام آن «پاسخ» بزنید و متن را بنویسید.",
    "language_set": "زبان شما فارسی شد.",
    "language_usage": "استفاده: <code>/language fa</code> یا <code>/language en</code>",
    # sending
    "send_usage": (
        "استفاده: <code>/send شماره‌ها متن</code>\nشماره‌ها را با فاصله، ویرگول یا خط جدید"
        " جدا کنید. یا فقط /send را بفرستید تا قدم‌به‌قدم پیش برویم."
    ),
    "invalid_numbers": "این شماره‌ها معتبر نیستند و چیزی ارسال نشد:\n{items}",
    "invalid_number_item": "• <code>{raw}</code>: {reason}",
    "no_numbers": "هیچ شماره‌ای پیدا نشد. شماره‌ها را قبل از متن بنویسید.",
    "empty_text": "متن پیامک خالی است؛ چیزی ارسال نشد.",
    "too_many_parts": (
        "متن {parts} بخش می‌شود و حساب «{account}» حداکثر {limit} بخش را می‌پذیرد؛ چیزی ارسال نشد."
    ),
    "too_many_recipients": (
        "حداکثر {limit} گیرنده در یک /send مجاز است ({count} داده شد)؛ چیزی ارسال نشد."
    ),
    "no_such_sender": "خط یا حسابی به نام «{name}» وجود ندارد. خطوط: {lines}",
    "from_usage": "استفاده: <code>/from نام‌حساب یا شماره‌خط</code>\nاکنون: {current}",
    "from_set": "از این پس پیامک‌های این گفتگو از خط {line} (حساب {account}) ارسال می‌شود.",
    "sending": "در حال ارسال…",
    "duplicate_request": "این درخواست قبلاً انجام شده است (ارسال #{send_id}).",
    "confirmation": "ارسال #{send_id} از خط {line} ({account})\n{summary}\n\n{recipients}",
    "confirmation_more": "… و {count} گیرندهٔ دیگر",
    "recipient_line": "{number}: {state}",
    "summary": "{total} گیرنده، {parts} بخش — {done} تحویل، {failed} ناموفق، {waiting} در انتظار",
    "state.queued": "⏳ در صف",
    "state.sent": "📤 ارسال شد",
    "state.pending": "🕓 در انتظار گزارش",
    "state.at_carrier": "📶 رسیده به مخابرات",
    "state.delivered": "✅ تحویل شد",
    "state.undelivered": "❌ تحویل نشد",
    "state.failed": "⛔ ناموفق",
    "state.blocked": "🚫 مسدود (لیست سیاه)",
    "state.unknown": "❓ نامعلوم",
    "error.auth": "سرویس‌دهنده ({account}) نام کاربری یا دسترسی را نپذیرفت. به مدیران خبر داده شد.",
    "error.credit": "اعتبار حساب «{account}» کافی نیست. به مدیران خبر داده شد.",
    "error.bad_request": "سرویس‌دهنده درخواست را نپذیرفت: {reason}",
    "error.rate_limit": "سقف ارسال حساب «{account}» پر شده است؛ بعداً دوباره تلاش کنید.",
    "error.transient": "سرویس‌دهنده در دسترس نبود و چیزی ارسال نشد؛ کمی بعد دوباره تلاش کنید.",
    "error.unknown_outcome": (
        "پاسخ سرویس‌دهنده نرسید؛ معلوم نیست پیامک رفته است یا نه. برای جلوگیری از ارسال"
        " دوباره، خودکار تکرار نمی‌شود. وضعیت: /status {send_id}"
    ),
    "error.partial": "بخشی از گیرندگان ارسال نشد: {reason}",
    "error.unsupported": "سرویس‌دهندهٔ حساب «{account}» این کار را پشتیبانی نمی‌کند.",
    "error.internal": "خطایی رخ داد و به مدیران گزارش شد.",
    # guided flow
    "ask_numbers": "شماره‌های گیرنده را بفرستید (با فاصله، ویرگول یا هر کدام در یک خط). /cancel برای لغو.",
    "ask_text": "{count} گیرنده. حالا متن پیامک را بفرستید.",
    "preview": (
        "پیش‌نمایش ارسال از خط {line} ({account}):\nگیرندگان: {count}\nبخش‌ها: {parts}\n\n{text}"
    ),
    "button.confirm": "✅ ارسال",
    "button.cancel": "✖️ لغو",
    "cancelled": "لغو شد؛ چیزی ارسال نشد.",
    "nothing_to_cancel": "کاری در جریان نیست که لغو شود.",
    "flow_expired": "این پیش‌نمایش دیگر معتبر نیست؛ دوباره /send را بزنید.",
    # replies
    "reply_sending": "پاسخ به {number} از خط {line}…",
    "reply_no_target": "این پیام به یک پیامک ورودی وصل نیست؛ برای ارسال از /send استفاده کنید.",
    # incoming
    "incoming": "📩 پیامک از {sender}\nخط: {line}\nزمان: {time}\n\n{body}",
    "digest_header": "📩 {count} پیامک جدید",
    "digest_item": "— {sender} ← خط {line} · {time}\n{body}",
    # status and history
    "status_usage": "استفاده: <code>/status شناسهٔ ارسال</code>",
    "status_not_found": "ارسال #{send_id} پیدا نشد.",
    "history_empty": "هنوز پیامکی در این گفتگو نیست.",
    "history_header": "آخرین پیامک‌های این گفتگو:",
    "history_sent": "📤 #{send_id} {time} به {number}: {text} — {state}",
    "history_received": "📩 {time} از {number} روی {line}: {text}",
    # account info
    "credit_line": "• {account}: {credit}",
    "credit_error": "• {account}: نامشخص ({reason})",
    "lines_line": "• {account} ({provider}){default}: {lines}",
    "default_mark": " ⭐",
    # admin
    "route_usage": "استفاده: <code>/route شماره‌خط</code> در گفتگویی که پیامک‌ها باید به آن برسند.",
    "route_unknown_line": "خط {line} در هیچ حسابی نیست. خطوط: {lines}",
    "route_added": "پیامک‌های ورودی خط {line} از این پس به این گفتگو می‌آید.",
    "route_exists": "خط {line} از قبل به این گفتگو مسیر دارد.",
    "route_removed": "مسیر خط {line} به این گفتگو حذف شد.",
    "route_missing": "خط {line} مسیری به این گفتگو ندارد.",
    "routes_empty": "هیچ مسیری تعریف نشده است؛ پیامک‌های ورودی به گروه مدیران می‌رود.",
    "routes_item": "• {line} ← {chat_id} ({source})",
    "allow_usage": "استفاده: <code>/allow شناسهٔ کاربر admin|operator|viewer</code>",
    "allow_done": "کاربر {user_id} اکنون نقش «{role}» دارد.",
    "deny_usage": "استفاده: <code>/deny شناسهٔ کاربر</code>",
    "deny_done": "دسترسی کاربر {user_id} گرفته شد.",
    "deny_missing": "کاربر {user_id} نقشی نداشت.",
    "deny_config_admin": "کاربر {user_id} در پیکربندی مدیر است و از اینجا حذف نمی‌شود.",
    "users_item": "• <code>{user_id}</code>: {role}{source}",
    "users_config": " (پیکربندی)",
    "bad_user_id": "شناسهٔ کاربر باید عدد باشد: {value}",
    "bad_role": "نقش باید یکی از admin، operator یا viewer باشد: {value}",
    # alerts
    "alert.auth": "⚠️ حساب «{account}»: {reason}",
    "alert.credit_out": "⚠️ اعتبار حساب «{account}» تمام شده است.",
    "alert.credit_low": "⚠️ اعتبار حساب «{account}» کم است: {credit} (آستانه {threshold})",
    "alert.poll_failing": "⚠️ {job} حساب «{account}» {count} بار پیاپی ناموفق بود: {reason}",
    "alert.poll_recovered": "✅ {job} حساب «{account}» دوباره کار می‌کند.",
    "alert.unknown_send": (
        "⚠️ ارسال #{send_id} ({account}، {count} گیرنده) هنگام توقف برنامه در جریان بود؛"
        " معلوم نیست رفته است یا نه و خودکار دوباره ارسال نمی‌شود."
    ),
    "alert.unknown_outcome": (
        "⚠️ پاسخ ارسال #{send_id} ({account}) نرسید؛ نتیجه نامعلوم است و دوباره ارسال نمی‌شود."
    ),
    "alert.error": "⚠️ خطای داخلی: {error}",
    "alert.chat_refused": (
        "⚠️ تلگرام پیامی به گفتگوی <code>{chat}</code> نمی‌رساند: {reason}\n"
        "پیامک‌های آن ({count} تا کنون) از این پس به مسیرهای دیگر خط، یا اگر نباشد به همین"
        " گفتگو می‌آیند. ربات را دوباره به آن گروه اضافه کنید و آنجا /route بزنید، یا خط را با"
        " /route به گفتگوی دیگری بفرستید."
    ),
    "alert.chat_back": "✅ گفتگوی <code>{chat}</code> دوباره پیام می‌پذیرد.",
    "alert.chat_migrated": (
        "ℹ️ گروه <code>{old}</code> به سوپرگروه <code>{new}</code> ارتقا یافت. مسیرهای آن"
        " (خط: {lines}) و {count} پیامک در انتظار به سوپرگروه منتقل شدند و آنجا فرستاده"
        " می‌شوند. در پیکربندی، <code>{old}</code> را با <code>{new}</code> جایگزین کنید."
    ),
    "job.inbox": "دریافت پیامک‌ها",
    "job.delivery": "پیگیری تحویل",
    "job.credit": "بررسی اعتبار",
}

_EN: dict[str, str] = {
    "refused": (
        "Sorry, you have no access to this bot. Ask an admin to add you"
        " (your id: <code>{user_id}</code>)."
    ),
    "refused_right": "This command is not allowed for the role “{role}”.",
    "role.admin": "admin",
    "role.operator": "operator",
    "role.viewer": "viewer",
    "start": "Hello {name}! This is the SMS console.\nYour role: <b>{role}</b>\n\nCommands:\n{commands}",
    "cmd.start": "greeting and help",
    "cmd.help": "the list of commands",
    "cmd.send": "send an SMS: <code>/send 0912… text</code> (or just /send)",
    "cmd.status": "a send's delivery: <code>/status id</code>",
    "cmd.history": "this chat's recent SMS: <code>/history [n]</code>",
    "cmd.credit": "the accounts' credit",
    "cmd.lines": "the accounts' lines",
    "cmd.from": "this chat's sending line: <code>/from account-or-line</code>",
    "cmd.route": "route a line's incoming SMS here: <code>/route line</code>",
    "cmd.unroute": "stop routing a line here: <code>/unroute line</code>",
    "cmd.routes": "list the routes",
    "cmd.allow": "grant a role: <code>/allow user-id admin|operator|viewer</code>",
    "cmd.deny": "remove access: <code>/deny user-id</code>",
    "cmd.users": "list the users",
    "cmd.language": "language: <code>/language fa</code> or <code>/language en</code>",
    "cmd.cancel": "cancel the current conversation",
    "reply_hint": "To answer an SMS, reply to its message here and type the text.",
    "language_set": "Your language is now English.",
    "language_usage": "Usage: <code>/language fa</code> or <code>/language en</code>",
    "send_usage": (
        "Usage: <code>/send numbers text</code>\nSeparate numbers with spaces, commas or new"
        " lines. Or send /send alone to be guided step by step."
    ),
    "invalid_numbers": "These numbers are not valid, and nothing was sent:\n{items}",
    "invalid_number_item": "• <code>{raw}</code>: {reason}",
    "no_numbers": "No number found. Put the numbers before the text.",
    "empty_text": "The text is empty; nothing was sent.",
    "too_many_parts": (
        "The text takes {parts} parts and account “{account}” takes at most {limit};"
        " nothing was sent."
    ),
    "too_many_recipients": (
        "At most {limit} recipients in one /send ({count} given); nothing was sent."
    ),
    "no_such_sender": "There is no line or account called “{name}”. Lines: {lines}",
    "from_usage": "Usage: <code>/from account-or-line</code>\nNow: {current}",
    "from_set": "SMS from this chat now go from line {line} (account {account}).",
    "sending": "Sending…",
    "duplicate_request": "This request was already handled (send #{send_id}).",
    "confirmation": "Send #{send_id} from line {line} ({account})\n{summary}\n\n{recipients}",
    "confirmation_more": "… and {count} more recipients",
    "recipient_line": "{number}: {state}",
    "summary": "{total} recipients, {parts} parts — {done} delivered, {failed} failed, {waiting} waiting",
    "state.queued": "⏳ queued",
    "state.sent": "📤 sent",
    "state.pending": "🕓 awaiting report",
    "state.at_carrier": "📶 at the carrier",
    "state.delivered": "✅ delivered",
    "state.undelivered": "❌ not delivered",
    "state.failed": "⛔ failed",
    "state.blocked": "🚫 blocked (blacklist)",
    "state.unknown": "❓ unknown",
    "error.auth": "The provider ({account}) refused our credentials or access. The admins were told.",
    "error.credit": "Account “{account}” has not enough credit. The admins were told.",
    "error.bad_request": "The provider refused the request: {reason}",
    "error.rate_limit": "Account “{account}” reached its sending limit; try again later.",
    "error.transient": "The provider could not be reached and nothing was sent; try again shortly.",
    "error.unknown_outcome": (
        "The provider's answer did not arrive, so it is unknown whether the SMS went. It will"
        " not be resent automatically, to avoid a double send. Status: /status {send_id}"
    ),
    "error.partial": "Some recipients were not sent to: {reason}",
    "error.unsupported": "The provider of account “{account}” does not support this.",
    "error.internal": "Something went wrong; the admins were told.",
    "ask_numbers": "Send the recipients' numbers (spaces, commas or one per line). /cancel to stop.",
    "ask_text": "{count} recipients. Now send the text.",
    "preview": "Preview, from line {line} ({account}):\nRecipients: {count}\nParts: {parts}\n\n{text}",
    "button.confirm": "✅ Send",
    "button.cancel": "✖️ Cancel",
    "cancelled": "Cancelled; nothing was sent.",
    "nothing_to_cancel": "There is nothing to cancel.",
    "flow_expired": "This preview is no longer valid; start again with /send.",
    "reply_sending": "Replying to {number} from line {line}…",
    "reply_no_target": "This message is not an incoming SMS; use /send to send.",
    "incoming": "📩 SMS from {sender}\nLine: {line}\nTime: {time}\n\n{body}",
    "digest_header": "📩 {count} new SMS",
    "digest_item": "— {sender} → line {line} · {time}\n{body}",
    "status_usage": "Usage: <code>/status send-id</code>",
    "status_not_found": "Send #{send_id} was not found.",
    "history_empty": "No SMS in this chat yet.",
    "history_header": "This chat's latest SMS:",
    "history_sent": "📤 #{send_id} {time} to {number}: {text} — {state}",
    "history_received": "📩 {time} from {number} on {line}: {text}",
    "credit_line": "• {account}: {credit}",
    "credit_error": "• {account}: unknown ({reason})",
    "lines_line": "• {account} ({provider}){default}: {lines}",
    "default_mark": " ⭐",
    "route_usage": "Usage: <code>/route line</code>, in the chat the SMS should reach.",
    "route_unknown_line": "Line {line} belongs to no account. Lines: {lines}",
    "route_added": "Incoming SMS on line {line} now come to this chat.",
    "route_exists": "Line {line} is already routed to this chat.",
    "route_removed": "Line {line} is no longer routed to this chat.",
    "route_missing": "Line {line} is not routed to this chat.",
    "routes_empty": "No routes; incoming SMS go to the admin group.",
    "routes_item": "• {line} → {chat_id} ({source})",
    "allow_usage": "Usage: <code>/allow user-id admin|operator|viewer</code>",
    "allow_done": "User {user_id} now has the role “{role}”.",
    "deny_usage": "Usage: <code>/deny user-id</code>",
    "deny_done": "User {user_id} no longer has access.",
    "deny_missing": "User {user_id} had no role.",
    "deny_config_admin": "User {user_id} is an admin in the config and cannot be removed here.",
    "users_item": "• <code>{user_id}</code>: {role}{source}",
    "users_config": " (config)",
    "bad_user_id": "A user id is a number: {value}",
    "bad_role": "The role must be admin, operator or viewer: {value}",
    "alert.auth": "⚠️ Account “{account}”: {reason}",
    "alert.credit_out": "⚠️ Account “{account}” is out of credit.",
    "alert.credit_low": "⚠️ Account “{account}” credit is low: {credit} (threshold {threshold})",
    "alert.poll_failing": "⚠️ {job} of account “{account}” failed {count} times in a row: {reason}",
    "alert.poll_recovered": "✅ {job} of account “{account}” works again.",
    "alert.unknown_send": (
        "⚠️ Send #{send_id} ({account}, {count} recipients) was in flight when the bridge"
        " stopped; whether it went is unknown, and it will not be resent automatically."
    ),
    "alert.unknown_outcome": (
        "⚠️ The provider's answer to send #{send_id} ({account}) did not arrive; the outcome"
        " is unknown and it will not be resent."
    ),
    "alert.error": "⚠️ Internal error: {error}",
    "alert.chat_refused": (
        "⚠️ Telegram no longer delivers to chat <code>{chat}</code>: {reason}\n"
        "Its SMS ({count} so far) now go to the line's other routes, or here if it has none."
        " Add the bot back to that group and send /route there, or route the line to another"
        " chat with /route."
    ),
    "alert.chat_back": "✅ Chat <code>{chat}</code> accepts messages again.",
    "alert.chat_migrated": (
        "ℹ️ Group <code>{old}</code> was upgraded to supergroup <code>{new}</code>. Its routes"
        " (lines: {lines}) and {count} waiting SMS moved there and are posted there. In the"
        " config, replace <code>{old}</code> with <code>{new}</code>."
    ),
    "job.inbox": "Inbox polling",
    "job.delivery": "Delivery polling",
    "job.credit": "Credit check",
}

_TEXTS: Final = {"fa": _FA, "en": _EN}


class Raw(str):
    """A value that is already HTML and must not be escaped again."""


def t(lang: str, key: str, /, **values: object) -> str:
    """The text `key` in `lang` (falling back to Persian), with every value HTML-escaped."""
    table = _TEXTS.get(lang, _FA)
    template = table.get(key) or _FA[key]
    safe = {
        name: value if isinstance(value, Raw) else html.escape(str(value), quote=False)
        for name, value in values.items()
    }
    return template.format(**safe)


def missing_keys() -> dict[str, set[str]]:
    """Keys one language has and another lacks (a test keeps this empty)."""
    keys = {lang: set(table) for lang, table in _TEXTS.items()}
    every = set().union(*keys.values())
    return {lang: every - have for lang, have in keys.items() if every - have}
