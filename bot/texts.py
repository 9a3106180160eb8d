"""Every text the bot shows, per language, in one place, and the one way values go into them.

`t` HTML-escapes every value and formats it for the language. In Persian: counts, amounts and
times get Persian digits; phone numbers, lines and ids are wrapped in Unicode directional
isolates so that right-to-left layout never reorders them; every line of Persian text is laid
out right to left, whatever value it starts with. English templates choose singular or plural
with `{count|recipient|recipients}` (the word for the value of `count`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Final
from zoneinfo import ZoneInfo

import jdatetime

from providers.base import ProviderError

LANGUAGES: Final = ("fa", "en")
TEHRAN: Final = ZoneInfo("Asia/Tehran")

# Unicode directional marks and isolates (UAX #9).
LRM: Final = "\u200e"
RLM: Final = "\u200f"
LRI: Final = "\u2066"
FSI: Final = "\u2068"
PDI: Final = "\u2069"
BIDI_CONTROLS: Final = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

_FA: dict[str, str] = {
    "refused": (
        "متأسفیم، شما به این ربات دسترسی ندارید. برای دسترسی، از یکی از مدیران بخواهید"
        " شما را اضافه کند (شناسهٔ شما: <code>{user_id}</code>)."
    ),
    "refused_right": "این دستور برای نقش «{role}» مجاز نیست.",
    "role.admin": "مدیر",
    "role.operator": "اپراتور",
    "role.viewer": "مشاهده‌گر",
    "start": "سلام {name}! به پنل پیامک خوش آمدید.\nنقش شما: <b>{role}</b>\n\nدستورها:\n{commands}",
    "command_item": "/{command} — {description}",
    "cmd.start": "خوش‌آمدگویی و راهنما",
    "cmd.help": "فهرست دستورها",
    "cmd.send": "ارسال پیامک: <code>/send 0912… متن</code> (یا فقط /send)",
    "cmd.status": "وضعیت یک ارسال: <code>/status شناسه</code>",
    "cmd.history": "پیامک‌های اخیر این گفتگو: <code>/history [تعداد]</code>",
    "cmd.export": "پیامک‌های این گفتگو در یک فایل CSV: <code>/export [روز]</code>",
    "cmd.name": "نام‌گذاری تاپیک یک مشتری: <code>/name نام</code>",
    "cmd.credit": "اعتبار حساب‌ها",
    "cmd.lines": "خطوط حساب‌ها",
    "cmd.from": "خط پیش‌فرض ارسال در این گفتگو: <code>/from حساب یا خط</code>",
    "cmd.route": (
        "فرستادن پیامک‌های ورودی یک خط به این گفتگو: <code>/route خط</code>"
        " (هر مشتری در تاپیک خودش: <code>/route خط topics</code>)"
    ),
    "cmd.unroute": "قطع مسیر یک خط به این گفتگو: <code>/unroute خط</code>",
    "cmd.routes": "فهرست مسیرها",
    "cmd.allow": "دادن نقش به کاربر: <code>/allow شناسه admin|operator|viewer</code>",
    "cmd.deny": "گرفتن دسترسی کاربر: <code>/deny شناسه</code>",
    "cmd.users": "فهرست کاربران",
    "cmd.language": "تغییر زبان: <code>/language fa</code> یا <code>/language en</code>",
    "cmd.cancel": "لغو کار در جریان",
    "reply_hint": "برای پاسخ به یک پیامک، روی پیام آن «پاسخ» بزنید و متن را بنویسید.",
    "language_set": "زبان شما فارسی شد.",
    "language_usage": "روش استفاده: <code>/language fa</code> یا <code>/language en</code>",
    # sending
    "send_usage": (
        "روش استفاده: <code>/send شماره‌ها متن</code>\nشماره‌ها را با فاصله، ویرگول یا خط جدید"
        " از هم جدا کنید. یا فقط /send را بفرستید تا گام‌به‌گام راهنمایی‌تان کنیم."
    ),
    "invalid_numbers": "این شماره‌ها معتبر نیستند و چیزی ارسال نشد:\n{items}",
    "invalid_number_item": "• <code>{raw}</code>: {reason}",
    "number_reason.empty": "خالی است",
    "number_reason.not_digits": "نویسهٔ غیرعددی دارد",
    "number_reason.not_a_phone": "شماره تلفن نیست",
    "number_reason.not_iranian": "شمارهٔ ایران نیست",
    "number_reason.not_valid": "شمارهٔ معتبر ایران نیست",
    "number_reason.not_mobile": "شمارهٔ همراه نیست",
    "no_numbers": "هیچ شماره‌ای پیدا نشد. شماره‌ها را پیش از متن بنویسید.",
    "empty_text": "متن پیامک خالی است؛ چیزی ارسال نشد.",
    "too_many_parts": (
        "متن {parts} بخش می‌شود، اما حساب «{account}» حداکثر {limit} بخش را می‌پذیرد؛ چیزی ارسال نشد."
    ),
    "too_many_recipients": (
        "در هر /send حداکثر {limit} گیرنده مجاز است ({count} گیرنده داده شد)؛ چیزی ارسال نشد."
    ),
    "no_such_sender": "خط یا حسابی به نام «{name}» وجود ندارد. خطوط موجود: {lines}",
    "from_usage": "روش استفاده: <code>/from نام‌حساب یا شماره‌خط</code>\nخط کنونی: {current}",
    "from_set": "از این پس پیامک‌های این گفتگو از خط {line} (حساب {account}) ارسال می‌شود.",
    "sending": "در حال ارسال…",
    "duplicate_request": "این درخواست پیش‌تر انجام شده است (ارسال #{send_id}).",
    "confirmation": "ارسال #{send_id} از خط {line} ({account})\n{summary}\n\n{recipients}",
    "confirmation_more": "… و {count} گیرندهٔ دیگر",
    "recipient_line": "{number}: {state}",
    "summary": (
        "{total} گیرنده، {parts} بخش — {done} تحویل‌شده، {failed} ناموفق، {waiting} در انتظار"
    ),
    "state.queued": "⏳ در صف ارسال",
    "state.sent": "📤 ارسال شد",
    "state.pending": "🕓 در انتظار گزارش",
    "state.at_carrier": "📶 رسیده به اپراتور",
    "state.delivered": "✅ تحویل شد",
    "state.undelivered": "❌ تحویل نشد",
    "state.failed": "⛔ ناموفق",
    "state.blocked": "🚫 مسدود (فهرست سیاه)",
    "state.unknown": "❓ نامعلوم",
    "error.auth": (
        "سامانهٔ پیامک درخواست حساب «{account}» را نپذیرفت: {reason}. به مدیران خبر داده شد."
    ),
    "error.credit": "اعتبار حساب «{account}» کافی نیست. به مدیران خبر داده شد.",
    "error.bad_request": "سامانهٔ پیامک درخواست را نپذیرفت: {reason}",
    "error.rate_limit": "سقف ارسال حساب «{account}» پر شده است؛ لطفاً بعداً دوباره تلاش کنید.",
    "error.transient": (
        "سامانهٔ پیامک در دسترس نبود و چیزی ارسال نشد؛ لطفاً کمی بعد دوباره تلاش کنید."
    ),
    "error.unknown_outcome": (
        "پاسخ سامانهٔ پیامک نرسید و معلوم نیست پیامک ارسال شده است یا نه. برای جلوگیری از"
        " ارسال تکراری، به‌طور خودکار دوباره فرستاده نمی‌شود. وضعیت: /status {send_id}"
    ),
    "error.partial": "پیامک برای برخی از گیرندگان ارسال نشد: {reason}",
    "error.unsupported": "سامانهٔ پیامک حساب «{account}» از این کار پشتیبانی نمی‌کند.",
    "error.internal": "خطایی رخ داد و به مدیران گزارش شد.",
    # guided flow
    "ask_numbers": (
        "شماره‌های گیرنده را بفرستید (با فاصله، ویرگول یا هر کدام در یک خط). برای لغو: /cancel"
    ),
    "ask_text": "{count} گیرنده. حالا متن پیامک را بفرستید.",
    "preview": (
        "پیش‌نمایش ارسال از خط {line} ({account}):\nگیرندگان: {count}\nبخش‌ها: {parts}\n\n{text}"
    ),
    "button.confirm": "✅ ارسال",
    "button.cancel": "✖️ لغو",
    "cancelled": "لغو شد؛ چیزی ارسال نشد.",
    "nothing_to_cancel": "کاری در جریان نیست که لغو شود.",
    "flow_expired": "این پیش‌نمایش دیگر معتبر نیست؛ لطفاً دوباره /send را بفرستید.",
    "flow_not_yours": "این ارسال را کس دیگری شروع کرده است؛ کاری انجام نشد.",
    "flow_refused_right": "ارسال برای نقش «{role}» مجاز نیست؛ چیزی ارسال نشد.",
    "text_only": "فقط متن را می‌توان به‌صورت پیامک فرستاد؛ چیزی ارسال نشد.",
    # replies
    "reply_sending": "در حال پاسخ به {number} از خط {line}…",
    "reply_no_target": "این پیام به پیامک ورودی‌ای مربوط نیست؛ برای ارسال از /send استفاده کنید.",
    # incoming
    "incoming": "📩 پیامک از {sender}\nخط: {line}\nزمان: {time}\n\n{body}",
    "digest_header": "📩 {count} پیامک جدید",
    "digest_item": "— {sender} ← خط {line} · {time}\n{body}",
    # status and history
    "status_usage": "روش استفاده: <code>/status شناسهٔ ارسال</code>",
    "status_not_found": "ارسال #{send_id} پیدا نشد.",
    "history_empty": "هنوز پیامکی در این گفتگو نیست.",
    "history_header": "آخرین پیامک‌های این گفتگو:",
    "history_sent": "📤 #{send_id} {time} به {number}: {text} — {state}",
    "history_received": "📩 {time} از {number} به خط {line}: {text}",
    # account info
    "credit_line": "• {account}: {credit} ریال",
    "credit_error": "• {account}: نامشخص ({reason})",
    "lines_line": "• {account} ({provider}){default}: {lines}",
    "default_mark": " ⭐",
    # admin
    "route_usage": "روش استفاده: <code>/route شماره‌خط</code> در گفتگویی که پیامک‌ها باید به آن برسند.",
    "route_unknown_line": "خط {line} متعلق به هیچ‌یک از حساب‌ها نیست. خطوط موجود: {lines}",
    "route_added": "از این پس پیامک‌های ورودی خط {line} به این گفتگو فرستاده می‌شود.",
    "route_exists": "پیامک‌های خط {line} از قبل به این گفتگو فرستاده می‌شود.",
    "route_topics_added": (
        "از این پس پیامک‌های ورودی خط {line} به این گفتگو می‌رسد، هر مشتری در تاپیک خودش."
        " نوشتن در تاپیک یک مشتری، پیامکی به همان مشتری از همین خط است."
    ),
    "route_topics_not_forum": (
        "این گفتگو انجمن (Topics) نیست. ابتدا در تنظیمات گروه «Topics» را روشن کنید و دوباره"
        " <code>/route {line} topics</code> را بفرستید. چیزی تغییر نکرد."
    ),
    "route_topics_no_rights": (
        "من اجازهٔ مدیریت تاپیک‌ها را در این گروه ندارم. مرا مدیر گروه کنید و دسترسی"
        " «Manage topics» را بدهید، سپس دوباره امتحان کنید. چیزی تغییر نکرد."
    ),
    "route_topics_usage": "روش استفاده: <code>/route شماره‌خط topics</code> در یک گروه انجمن.",
    "topic_cannot_receive": (
        "به فرستندهٔ این تاپیک ({number}) نمی‌توان پیامک فرستاد: {reason}. چیزی ارسال نشد."
    ),
    "name_usage": "روش استفاده: <code>/name نام</code> در تاپیک یک مشتری.",
    "name_too_long": "نام تاپیک حداکثر ۱۲۸ نویسه است (این نام {count} نویسه دارد). چیزی تغییر نکرد.",
    "name_done": "نام این تاپیک از این پس «{name}» است.",
    "mirror_head": "↗️ ارسال شد توسط {name} (شناسه {send_id}): {text}",
    "export_bad_days": (
        "«{raw}» تعداد روز درستی نیست: عددی از ۱ تا {limit} بنویسید، مثلاً"
        " <code>/export 30</code>. چیزی فرستاده نشد."
    ),
    "export_empty": "در {days} روز گذشته پیامکی در این گفتگو نیست.",
    "export_caption": "{count} پیامک، {days} روز گذشته",
    "export_too_big": (
        "فایل {count} پیامکِ {days} روز گذشته {size} مگابایت می‌شود و تلگرام بیش از ۵۰ مگابایت"
        " را از ربات نمی‌پذیرد. روزهای کمتری بخواهید، مثلاً <code>/export 7</code>."
    ),
    "export.col.direction": "جهت",
    "export.col.jalali": "زمان (شمسی، تهران)",
    "export.col.iso": "زمان (ISO، UTC)",
    "export.col.line": "خط",
    "export.col.number": "شماره",
    "export.col.text": "متن",
    "export.col.state": "وضعیت",
    "export.col.send_id": "شناسهٔ ارسال",
    "export.sent": "ارسالی",
    "export.received": "دریافتی",
    "route_removed": "مسیر خط {line} به این گفتگو حذف شد.",
    "route_missing": "خط {line} مسیری به این گفتگو ندارد.",
    "routes_empty": "هیچ مسیری تعریف نشده است؛ پیامک‌های ورودی به گروه مدیران فرستاده می‌شود.",
    "routes_item": "• {line} ← {chat_id} ({source})",
    "route_source.config": "از تنظیمات",
    "route_source.admin": "افزودهٔ مدیر",
    "allow_usage": "روش استفاده: <code>/allow شناسهٔ کاربر admin|operator|viewer</code>",
    "allow_done": "کاربر {user_id} اکنون نقش «{role}» دارد.",
    "deny_usage": "روش استفاده: <code>/deny شناسهٔ کاربر</code>",
    "deny_done": "دسترسی کاربر {user_id} گرفته شد.",
    "deny_missing": "کاربر {user_id} نقشی نداشت.",
    "deny_config_admin": "کاربر {user_id} در تنظیمات، مدیر تعریف شده است و از اینجا حذف نمی‌شود.",
    "users_item": "• <code>{user_id}</code>: {role}{source}",
    "users_config": " (از تنظیمات)",
    "bad_user_id": "شناسهٔ کاربر باید عدد باشد: {value}",
    "bad_role": "نقش باید یکی از admin، operator یا viewer باشد: {value}",
    # alerts
    "alert.auth": "⚠️ حساب «{account}»: {reason}",
    "alert.credit_out": "⚠️ اعتبار حساب «{account}» تمام شده است.",
    "alert.credit_low": "⚠️ اعتبار حساب «{account}» کم است: {credit} ریال (آستانه: {threshold} ریال)",
    "alert.poll_failing": "⚠️ {job} حساب «{account}» {count} بار پیاپی ناموفق بود: {reason}",
    "alert.poll_recovered": "✅ {job} حساب «{account}» دوباره کار می‌کند.",
    "alert.unknown_send": (
        "⚠️ ارسال #{send_id} (حساب {account}، {count} گیرنده) هنگام توقف برنامه در جریان بود و"
        " معلوم نیست ارسال شده است یا نه. برای جلوگیری از ارسال تکراری، به‌طور خودکار دوباره"
        " فرستاده نمی‌شود."
    ),
    "alert.unknown_outcome": (
        "⚠️ پاسخ سامانهٔ پیامک به ارسال #{send_id} (حساب {account}) نرسید و نتیجه نامعلوم است."
        " برای جلوگیری از ارسال تکراری، به‌طور خودکار دوباره فرستاده نمی‌شود."
    ),
    "alert.error": "⚠️ خطای داخلی: {error}",
    "alert.chat_refused": (
        "⚠️ تلگرام پیامی به گفتگوی <code>{chat_id}</code> نمی‌رساند: {reason}\n"
        "پیامک‌های آن ({count} تا کنون) از این پس به مسیرهای دیگر خط، یا اگر نباشد به همین"
        " گفتگو می‌آیند. ربات را دوباره به آن گروه اضافه کنید و آنجا /route بزنید، یا خط را با"
        " /route به گفتگوی دیگری بفرستید."
    ),
    "alert.chat_back": "✅ گفتگوی <code>{chat_id}</code> دوباره پیام می‌پذیرد.",
    "alert.chat_migrated": (
        "ℹ️ گروه <code>{old_chat_id}</code> به سوپرگروه <code>{new_chat_id}</code> ارتقا یافت. مسیرهای آن"
        " (خط: {lines}) و {count} پیامک در انتظار به سوپرگروه منتقل شدند و آنجا فرستاده"
        " می‌شوند. در تنظیمات، <code>{old_chat_id}</code> را با <code>{new_chat_id}</code> جایگزین کنید."
    ),
    "job.inbox": "دریافت پیامک‌ها",
    "job.delivery": "پیگیری تحویل",
    "job.credit": "بررسی اعتبار",
    # inbox
    "inbox.first_start": (
        "🔔 دریافت پیامک‌های خط {line} آغاز شد. {count} پیامکِ {minutes} دقیقهٔ اخیر در ادامه"
        " می‌آید؛ پیامک‌های قدیمی‌تری که از پیش در صندوق بودند فرستاده نمی‌شوند."
    ),
    "inbox.quarantined": (
        "⚠️ یک پیامک دریافتی حساب «{account}» روی خط {line} خوانده نشد و کنار گذاشته شد"
        " (#{record_id}): {reason}\nپیامک‌های بعدی این خط همچنان فرستاده می‌شوند."
        " آنچه سامانهٔ پیامک فرستاد:\n<pre>{raw}</pre>"
    ),
    "inbox.quarantine_read": (
        "✅ پیامکِ کنارگذاشتهٔ #{record_id} (خط {line}) اکنون خوانده شد و فرستاده می‌شود."
    ),
    # times
    "time": "{date} ساعت {clock}",
    # provider reasons: RayganSMS (providers.md §1.2, §1.4)
    "reason.raygansms.8": "وب‌سرویس برای این حساب فعال نیست",
    "reason.raygansms.401": "نام کاربری یا رمز عبور حساب پذیرفته نشد",
    "reason.raygansms.1001": "قالب درخواست نادرست بود (ایرادی در برنامه است؛ لطفاً به مدیران خبر دهید)",
    "reason.raygansms.1002": "شمارهٔ خط اختصاصی نامعتبر است؛ شمارهٔ خط را بررسی کنید",
    "reason.raygansms.1003": "قالب تاریخ نادرست بود (ایرادی در برنامه است؛ لطفاً به مدیران خبر دهید)",
    "reason.raygansms.1004": "اطلاعات درخواست نامعتبر است؛ شماره‌ها و متن را بررسی کنید",
    "reason.raygansms.2001": (
        "این خط متعلق به این حساب نیست؛ یکی از مدیران باید شمارهٔ خط را در تنظیمات بررسی کند"
    ),
    "reason.raygansms.2002": "این حساب اجازهٔ استفاده از وب‌سرویس را ندارد",
    "reason.raygansms.2003": "نشانی IP این سرور در سامانهٔ پیامک مجاز نیست",
    "reason.raygansms.2004": "زمان ارسال خارج از بازهٔ مجاز است",
    "reason.raygansms.2005": "تعداد گیرندگان بیش از حد مجاز است (حداکثر ۵۰٬۰۰۰)",
    "reason.raygansms.2006": "متن پیامک بیش از حد طولانی است (حداکثر ۱۰ بخش)",
    "reason.raygansms.2007": "شمارهٔ پورت نامعتبر است",
    "reason.raygansms.2008": "شمارهٔ صفحه نامعتبر بود (ایرادی در برنامه است؛ لطفاً به مدیران خبر دهید)",
    "reason.raygansms.2009": "سامانهٔ پیامک نتوانست اطلاعات حساب را بخواند",
    "reason.raygansms.3001": "سامانهٔ پیامک نتوانست اطلاعات را ذخیره کند",
    "reason.raygansms.3002": "سامانهٔ پیامک نتوانست گروه پیام را بخواند",
    "reason.raygansms.3003": "اعتبار حساب کافی نیست",
    "reason.raygansms.3004": "این سرویس برای اپراتور گیرنده تعریف نشده است",
    "reason.raygansms.5001": "خطای داخلی در سامانهٔ پیامک",
    "reason.raygansms.5002": "سامانهٔ پیامک هنگام ارسال با خطا روبه‌رو شد",
    "reason.raygansms.5003": "سامانهٔ پیامک نتوانست نتیجهٔ ارسال را بخواند",
    "reason.raygansms.5004": "ارسال برخی از پیامک‌ها ناموفق بود",
    # provider reasons: Payamak Panel (providers.md §2.2)
    "reason.payamak.0": "نام کاربری یا رمز عبور نادرست است",
    "reason.payamak.2": "اعتبار حساب کافی نیست",
    "reason.payamak.3": "سقف ارسال روزانهٔ حساب پر شده است",
    "reason.payamak.4": "سقف حجم ارسال حساب پر شده است",
    "reason.payamak.5": (
        "خط فرستنده برای این حساب معتبر نیست؛ یکی از مدیران باید شمارهٔ خط را در تنظیمات بررسی کند"
    ),
    "reason.payamak.6": "سامانهٔ پیامک در حال به‌روزرسانی است",
    "reason.payamak.7": "متن پیامک واژه‌ای فیلترشده دارد",
    "reason.payamak.9": "با خطوط عمومی نمی‌توان از راه وب‌سرویس پیامک فرستاد",
    "reason.payamak.10": "حساب کاربری فعال نیست",
    "reason.payamak.11": "پیامک ارسال نشد",
    "reason.payamak.12": "مدارک حساب کاربری کامل نیست",
    "reason.payamak.14": "متن پیامک پیوند (لینک) دارد",
    "reason.payamak.15": "متن پیامکی که به چند گیرنده می‌رود باید با «لغو11» تمام شود",
    "reason.payamak.16": "هیچ شمارهٔ گیرنده‌ای داده نشده است",
    "reason.payamak.17": "متن پیامک خالی است",
    "reason.payamak.35": "شمارهٔ گیرنده در فهرست سیاه اپراتورها است",
    # provider reasons without a provider code
    "reason.http.auth": "نام کاربری یا رمز عبور حساب پذیرفته نشد",
    "reason.http.rate_limit": "درخواست‌ها بیش از حد مجاز بود؛ کمی بعد دوباره تلاش کنید",
    "reason.http.server": "سرور سامانهٔ پیامک با خطا روبه‌رو شد",
    "reason.http.refused": "درخواست از نظر سامانهٔ پیامک نامعتبر بود",
    "reason.network": "ارتباط با سامانهٔ پیامک برقرار نشد",
    "reason.timeout": "پاسخ سامانهٔ پیامک به‌موقع نرسید",
    "reason.unreadable": "پاسخ سامانهٔ پیامک قابل خواندن نبود",
    "reason.unknown_code": "سامانهٔ پیامک با کدی ناشناخته پاسخ داد",
    "reason.empty_text": "متن پیامک خالی است",
    "reason.no_recipients": "هیچ شمارهٔ گیرنده‌ای داده نشده است",
    "reason.invalid_numbers": "برخی از شماره‌های گیرنده معتبر نیستند",
    "reason.naive_time": "زمان ارسال بدون منطقهٔ زمانی داده شد (ایرادی در برنامه است)",
    "reason.unsupported": "سامانهٔ پیامک این حساب از این کار پشتیبانی نمی‌کند",
    # when nothing more precise is known, by category
    "reason.category.auth": "حساب یا دسترسی آن پذیرفته نشد",
    "reason.category.credit": "اعتبار حساب کافی نیست",
    "reason.category.bad_request": "درخواست از نظر سامانهٔ پیامک نامعتبر بود",
    "reason.category.rate_limit": "سقف ارسال حساب پر شده است",
    "reason.category.transient": "سامانهٔ پیامک موقتاً پاسخ درستی نداد",
    "reason.category.partial": "ارسال برای برخی از گیرندگان ناموفق بود",
    "reason.category.unsupported": "سامانهٔ پیامک این حساب از این کار پشتیبانی نمی‌کند",
    "reason.with_code": "{reason} (کد {code})",
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
    "start": "Hello {name}! Welcome to the SMS panel.\nYour role: <b>{role}</b>\n\nCommands:\n{commands}",
    "command_item": "/{command} — {description}",
    "cmd.start": "greeting and help",
    "cmd.help": "the list of commands",
    "cmd.send": "send an SMS: <code>/send 0912… text</code> (or just /send)",
    "cmd.status": "a send's delivery: <code>/status id</code>",
    "cmd.history": "this chat's recent SMS: <code>/history [n]</code>",
    "cmd.export": "this chat's SMS as a CSV file: <code>/export [days]</code>",
    "cmd.name": "name a customer's topic: <code>/name name</code>",
    "cmd.credit": "the accounts' credit",
    "cmd.lines": "the accounts' lines",
    "cmd.from": "this chat's sending line: <code>/from account-or-line</code>",
    "cmd.route": (
        "route a line's incoming SMS here: <code>/route line</code>"
        " (a topic per customer: <code>/route line topics</code>)"
    ),
    "cmd.unroute": "stop routing a line here: <code>/unroute line</code>",
    "cmd.routes": "list the routes",
    "cmd.allow": "grant a role: <code>/allow user-id admin|operator|viewer</code>",
    "cmd.deny": "remove access: <code>/deny user-id</code>",
    "cmd.users": "list the users",
    "cmd.language": "language: <code>/language fa</code> or <code>/language en</code>",
    "cmd.cancel": "cancel what is in progress",
    "reply_hint": "To answer an SMS, reply to its message here and type the text.",
    "language_set": "Your language is now English.",
    "language_usage": "Usage: <code>/language fa</code> or <code>/language en</code>",
    "send_usage": (
        "Usage: <code>/send numbers text</code>\nSeparate numbers with spaces, commas or new"
        " lines. Or send /send alone to be guided step by step."
    ),
    "invalid_numbers": "These numbers are not valid, and nothing was sent:\n{items}",
    "invalid_number_item": "• <code>{raw}</code>: {reason}",
    "number_reason.empty": "empty",
    "number_reason.not_digits": "contains characters that are not digits",
    "number_reason.not_a_phone": "not a phone number",
    "number_reason.not_iranian": "not an Iranian number",
    "number_reason.not_valid": "not a valid Iranian number",
    "number_reason.not_mobile": "not a mobile number",
    "no_numbers": "No number found. Put the numbers before the text.",
    "empty_text": "The text is empty; nothing was sent.",
    "too_many_parts": (
        "The text takes {parts} {parts|part|parts} and account “{account}” takes at most"
        " {limit}; nothing was sent."
    ),
    "too_many_recipients": (
        "At most {limit} {limit|recipient|recipients} in one /send ({count} given);"
        " nothing was sent."
    ),
    "no_such_sender": "There is no line or account called “{name}”. Lines: {lines}",
    "from_usage": "Usage: <code>/from account-or-line</code>\nNow: {current}",
    "from_set": "SMS from this chat now go from line {line} (account {account}).",
    "sending": "Sending…",
    "duplicate_request": "This request was already handled (send #{send_id}).",
    "confirmation": "Send #{send_id} from line {line} ({account})\n{summary}\n\n{recipients}",
    "confirmation_more": "… and {count} more {count|recipient|recipients}",
    "recipient_line": "{number}: {state}",
    "summary": (
        "{total} {total|recipient|recipients}, {parts} {parts|part|parts} — {done} delivered,"
        " {failed} failed, {waiting} waiting"
    ),
    "state.queued": "⏳ queued",
    "state.sent": "📤 sent",
    "state.pending": "🕓 awaiting report",
    "state.at_carrier": "📶 at the carrier",
    "state.delivered": "✅ delivered",
    "state.undelivered": "❌ not delivered",
    "state.failed": "⛔ failed",
    "state.blocked": "🚫 blocked (blacklist)",
    "state.unknown": "❓ unknown",
    "error.auth": "The SMS provider refused account “{account}”: {reason}. The admins were told.",
    "error.credit": "Account “{account}” has not enough credit. The admins were told.",
    "error.bad_request": "The SMS provider refused the request: {reason}",
    "error.rate_limit": "Account “{account}” reached its sending limit; please try again later.",
    "error.transient": (
        "The SMS provider could not be reached and nothing was sent; please try again shortly."
    ),
    "error.unknown_outcome": (
        "The SMS provider's answer did not arrive, so it is unknown whether the SMS went. It"
        " will not be resent automatically, to avoid sending it twice. Status: /status {send_id}"
    ),
    "error.partial": "Some recipients were not sent to: {reason}",
    "error.unsupported": "The SMS provider of account “{account}” does not support this.",
    "error.internal": "Something went wrong; the admins were told.",
    "ask_numbers": "Send the recipients' numbers (spaces, commas or one per line). /cancel to stop.",
    "ask_text": "{count} {count|recipient|recipients}. Now send the text.",
    "preview": "Preview, from line {line} ({account}):\nRecipients: {count}\nParts: {parts}\n\n{text}",
    "button.confirm": "✅ Send",
    "button.cancel": "✖️ Cancel",
    "cancelled": "Cancelled; nothing was sent.",
    "nothing_to_cancel": "There is nothing to cancel.",
    "flow_expired": "This preview is no longer valid; please start again with /send.",
    "flow_not_yours": "Someone else started this send; nothing was done.",
    "flow_refused_right": "Sending is not allowed for the role “{role}”; nothing was sent.",
    "text_only": "Only text can be sent as an SMS; nothing was sent.",
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
    "history_received": "📩 {time} from {number} on line {line}: {text}",
    "credit_line": "• {account}: {credit} rials",
    "credit_error": "• {account}: unknown ({reason})",
    "lines_line": "• {account} ({provider}){default}: {lines}",
    "default_mark": " ⭐",
    "route_usage": "Usage: <code>/route line</code>, in the chat the SMS should reach.",
    "route_unknown_line": "Line {line} belongs to no account. Lines: {lines}",
    "route_added": "Incoming SMS on line {line} now come to this chat.",
    "route_exists": "Line {line} is already routed to this chat.",
    "route_topics_added": (
        "Incoming SMS on line {line} now come to this chat, each customer in their own topic."
        " Writing in a customer's topic sends that customer an SMS from this line."
    ),
    "route_topics_not_forum": (
        "This chat is not a forum. Turn on Topics in the group's settings, then send"
        " <code>/route {line} topics</code> again. Nothing changed."
    ),
    "route_topics_no_rights": (
        "I may not manage topics in this group. Make me an admin with the “Manage topics”"
        " right, then try again. Nothing changed."
    ),
    "route_topics_usage": "Usage: <code>/route line topics</code>, in a forum group.",
    "topic_cannot_receive": (
        "This topic's sender ({number}) cannot receive SMS: {reason}. Nothing was sent."
    ),
    "name_usage": "Usage: <code>/name name</code>, inside a customer's topic.",
    "name_too_long": (
        "A topic name has at most 128 characters (this one has {count}). Nothing changed."
    ),
    "name_done": "This topic is now called “{name}”.",
    "mirror_head": "↗️ Sent by {name} (id {send_id}): {text}",
    "export_bad_days": (
        "“{raw}” is not a day count: write a number from 1 to {limit}, say"
        " <code>/export 30</code>. Nothing was sent."
    ),
    "export_empty": "No SMS in this chat in the last {days} {days|day|days}.",
    "export_caption": "{count} SMS, last {days} {days|day|days}",
    "export_too_big": (
        "The file of {count} SMS of the last {days} {days|day|days} would be {size} MB; Telegram"
        " takes at most 50 MB from a bot. Ask for fewer days, say <code>/export 7</code>."
    ),
    "export.col.direction": "direction",
    "export.col.jalali": "time (Jalali, Tehran)",
    "export.col.iso": "time (ISO, UTC)",
    "export.col.line": "line",
    "export.col.number": "number",
    "export.col.text": "text",
    "export.col.state": "state",
    "export.col.send_id": "send id",
    "export.sent": "sent",
    "export.received": "received",
    "route_removed": "Line {line} is no longer routed to this chat.",
    "route_missing": "Line {line} is not routed to this chat.",
    "routes_empty": "No routes; incoming SMS go to the admin group.",
    "routes_item": "• {line} → {chat_id} ({source})",
    "route_source.config": "from the config",
    "route_source.admin": "added by an admin",
    "allow_usage": "Usage: <code>/allow user-id admin|operator|viewer</code>",
    "allow_done": "User {user_id} now has the role “{role}”.",
    "deny_usage": "Usage: <code>/deny user-id</code>",
    "deny_done": "User {user_id} no longer has access.",
    "deny_missing": "User {user_id} had no role.",
    "deny_config_admin": "User {user_id} is an admin in the config and cannot be removed here.",
    "users_item": "• <code>{user_id}</code>: {role}{source}",
    "users_config": " (from the config)",
    "bad_user_id": "A user id is a number: {value}",
    "bad_role": "The role must be admin, operator or viewer: {value}",
    "alert.auth": "⚠️ Account “{account}”: {reason}",
    "alert.credit_out": "⚠️ Account “{account}” is out of credit.",
    "alert.credit_low": (
        "⚠️ Account “{account}” credit is low: {credit} rials (threshold: {threshold} rials)"
    ),
    "alert.poll_failing": (
        "⚠️ {job} of account “{account}” failed {count} {count|time|times} in a row: {reason}"
    ),
    "alert.poll_recovered": "✅ {job} of account “{account}” works again.",
    "alert.unknown_send": (
        "⚠️ Send #{send_id} ({account}, {count} {count|recipient|recipients}) was in flight when"
        " the bridge stopped; whether it went is unknown, and it will not be resent"
        " automatically, to avoid sending it twice."
    ),
    "alert.unknown_outcome": (
        "⚠️ The SMS provider's answer to send #{send_id} ({account}) did not arrive; the outcome"
        " is unknown, and it will not be resent automatically, to avoid sending it twice."
    ),
    "alert.error": "⚠️ Internal error: {error}",
    "alert.chat_refused": (
        "⚠️ Telegram no longer delivers to chat <code>{chat_id}</code>: {reason}\n"
        "Its SMS ({count} so far) now go to the line's other routes, or here if it has none."
        " Add the bot back to that group and send /route there, or route the line to another"
        " chat with /route."
    ),
    "alert.chat_back": "✅ Chat <code>{chat_id}</code> accepts messages again.",
    "alert.chat_migrated": (
        "ℹ️ Group <code>{old_chat_id}</code> was upgraded to supergroup <code>{new_chat_id}</code>. Its routes"
        " (lines: {lines}) and {count} waiting SMS moved there and are posted there. In the"
        " config, replace <code>{old_chat_id}</code> with <code>{new_chat_id}</code>."
    ),
    "job.inbox": "Inbox polling",
    "job.delivery": "Delivery polling",
    "job.credit": "Credit check",
    "inbox.first_start": (
        "🔔 Receiving SMS on line {line} has started. The {count} SMS of the last {minutes}"
        " minutes follow; older SMS already in the inbox are not forwarded."
    ),
    "inbox.quarantined": (
        "⚠️ A received record of account “{account}” on line {line} could not be read and was"
        " set aside (#{record_id}): {reason}\nThe SMS after it on this line are still forwarded."
        " As the provider sent it:\n<pre>{raw}</pre>"
    ),
    "inbox.quarantine_read": (
        "✅ The record set aside as #{record_id} (line {line}) could be read now; it is forwarded."
    ),
    "time": "{date} {clock}",
    "reason.raygansms.8": "the web service is not enabled for this account",
    "reason.raygansms.401": "the account's user name or password was refused",
    "reason.raygansms.1001": "the request was malformed (a bug in the bridge; please tell the admins)",
    "reason.raygansms.1002": "the dedicated line is not valid; check the line number",
    "reason.raygansms.1003": "a date was malformed (a bug in the bridge; please tell the admins)",
    "reason.raygansms.1004": "the request's details are not valid; check the numbers and the text",
    "reason.raygansms.2001": (
        "the line does not belong to this account; an admin should check the line in the config"
    ),
    "reason.raygansms.2002": "this account may not use the web service",
    "reason.raygansms.2003": "this server's IP address is not allowed by the SMS provider",
    "reason.raygansms.2004": "the send time is outside the allowed range",
    "reason.raygansms.2005": "too many recipients (at most 50,000)",
    "reason.raygansms.2006": "the text is too long (at most 10 parts)",
    "reason.raygansms.2007": "the port number is not valid",
    "reason.raygansms.2008": "a page number was not valid (a bug in the bridge; please tell the admins)",
    "reason.raygansms.2009": "the SMS provider could not read the account",
    "reason.raygansms.3001": "the SMS provider could not save the data",
    "reason.raygansms.3002": "the SMS provider could not read the message group",
    "reason.raygansms.3003": "the account has not enough credit",
    "reason.raygansms.3004": "the service is not defined for the recipient's carrier",
    "reason.raygansms.5001": "an internal error at the SMS provider",
    "reason.raygansms.5002": "the SMS provider failed while sending",
    "reason.raygansms.5003": "the SMS provider could not read the send's result",
    "reason.raygansms.5004": "some messages failed to send",
    "reason.payamak.0": "wrong user name or password",
    "reason.payamak.2": "the account has not enough credit",
    "reason.payamak.3": "the account's daily sending limit is reached",
    "reason.payamak.4": "the account's sending volume limit is reached",
    "reason.payamak.5": (
        "the sender line is not valid for this account; an admin should check the line in the config"
    ),
    "reason.payamak.6": "the SMS provider's system is being updated",
    "reason.payamak.7": "the text contains a filtered word",
    "reason.payamak.9": "public lines cannot send through the web service",
    "reason.payamak.10": "the user account is not active",
    "reason.payamak.11": "the SMS was not sent",
    "reason.payamak.12": "the account's documents are incomplete",
    "reason.payamak.14": "the text contains a link",
    "reason.payamak.15": "a text to several recipients must end with «لغو11» (the opt-out phrase)",
    "reason.payamak.16": "no recipient number was given",
    "reason.payamak.17": "the text is empty",
    "reason.payamak.35": "the recipient's number is on the carriers' blacklist",
    "reason.http.auth": "the account's user name or password was refused",
    "reason.http.rate_limit": "too many requests; try again shortly",
    "reason.http.server": "the SMS provider's server failed",
    "reason.http.refused": "the SMS provider found the request not valid",
    "reason.network": "the SMS provider could not be reached",
    "reason.timeout": "the SMS provider did not answer in time",
    "reason.unreadable": "the SMS provider's answer could not be read",
    "reason.unknown_code": "the SMS provider answered with an unknown code",
    "reason.empty_text": "the text is empty",
    "reason.no_recipients": "no recipient number was given",
    "reason.invalid_numbers": "some recipient numbers are not valid",
    "reason.naive_time": "the send time came without a time zone (a bug in the bridge)",
    "reason.unsupported": "the account's SMS provider does not support this",
    "reason.category.auth": "the account or its access was refused",
    "reason.category.credit": "the account has not enough credit",
    "reason.category.bad_request": "the SMS provider found the request not valid",
    "reason.category.rate_limit": "the account's sending limit is reached",
    "reason.category.transient": "the SMS provider did not answer properly for now",
    "reason.category.partial": "some recipients could not be sent to",
    "reason.category.unsupported": "the account's SMS provider does not support this",
    "reason.with_code": "{reason} (code {code})",
}

_TEXTS: Final = {"fa": _FA, "en": _EN}


class Raw(str):
    """A value that is already HTML and must not be escaped again."""


# ---------------------------------------------------------------- values

# Placeholders whose values are phone numbers, lines or ids: kept in Latin digits (they are
# typed back into commands) and isolated so that right-to-left layout never reorders them.
_ID_FIELDS: Final = frozenset(
    {"number", "sender", "recipient", "line", "lines", "raw", "code", "phone", "mobile"}
)
# Placeholders whose values are names or free text from outside: isolated in Persian lines when
# they hold anything (Latin letters, digits, punctuation) that could pull the text around.
_NAME_FIELDS: Final = frozenset(
    {"account", "provider", "name", "value", "current", "text", "error", "title", "choice"}
)
_PLACEHOLDER = re.compile(r"\{(\w+)(?:\|([^{}|]*)\|([^{}|]*))?\}")
# A `#` right before an id belongs with it: `#12`.
_ID_PREFIX = re.compile(r"#$")
# A command, with the id it takes if any, reads left to right in Persian text too (`/status 12`,
# not `status 12/`); so does a usage example in <code> that starts with one.
_COMMAND = re.compile(r"(?<![\w/<])/(?:[a-z_]+|\{\w+\})(?: \{\w+\})?")
_CODE_COMMAND = re.compile(r"<code>(/[^<]*)</code>")
_TAG = re.compile(r"<[^>]*>")
_NUMERIC = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_JALALI_TEXT = re.compile(r"(\d{4}/\d{2}/\d{2}) (\d{2}:\d{2})")
_PERSIAN_DIGITS: Final = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_PERSIAN_NUMBER: Final = str.maketrans("0123456789,.", "۰۱۲۳۴۵۶۷۸۹٬٫")
_STRONG_RTL: Final = frozenset({"R", "AL"})
_ISOLATE_OPEN: Final = frozenset({"LRI", "RLI", "FSI"})
# Right-to-left letters, spaces and marks sit in Persian text as they are; anything else (Latin
# letters, digits, punctuation) would join the numbers and signs around it into one run.
_FREE_CLASSES: Final = frozenset({"R", "AL", "WS", "NSM", "BN"})


def _language(lang: str) -> str:
    return lang if lang in _TEXTS else "fa"


def _is_id_field(name: str) -> bool:
    return name in _ID_FIELDS or name == "id" or name.endswith("_id")


def persian_digits(text: str) -> str:
    """Latin digits as Persian digits (nothing else changes)."""
    return text.translate(_PERSIAN_DIGITS)


def format_number(lang: str, value: int | Decimal | float) -> str:
    """A count or an amount: thousands grouped; Persian digits and separators in Persian."""
    number: int | Decimal = value if isinstance(value, int) else Decimal(str(value))
    if isinstance(number, Decimal) and number == number.to_integral_value():
        number = int(number)
    text = f"{number:,}"
    if _language(lang) != "fa":
        return text
    text = text.translate(_PERSIAN_NUMBER)
    # A sign before Persian digits moves to their other side in right-to-left text.
    return f"{LRI}{text}{PDI}" if text.startswith("-") else text


def format_time(lang: str, moment: datetime) -> str:
    """A moment as Jalali date and Tehran time: `۱۴۰۵/۰۹/۰۱ ساعت ۱۴:۰۰` / `1405/09/01 14:00`."""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(TEHRAN))
    return _time_text(lang, str(local.strftime("%Y/%m/%d")), str(local.strftime("%H:%M")))


def _time_text(lang: str, date: str, clock: str) -> str:
    if _language(lang) == "fa":
        date, clock = persian_digits(date), persian_digits(clock)
    return t(lang, "time", date=Raw(date), clock=Raw(clock))


def provider_reason(lang: str, error: ProviderError) -> str:
    """Why a provider call failed, in the user's language (HTML-safe).

    The reason is looked up by the error's `reason_key`, else by provider and code; failing
    both, English shows the adapter's own words and Persian the category's, with the code.
    """
    key = error.reason_key or (
        f"{error.provider}.{error.code}" if error.provider and error.code else ""
    )
    if key and f"reason.{key}" in _FA:
        return t(lang, f"reason.{key}")
    if _language(lang) == "en" and error.reason:
        return html.escape(error.reason, quote=False)
    general = t(lang, f"reason.category.{error.category.value}")
    if error.code:
        return t(lang, "reason.with_code", reason=Raw(general), code=error.code)
    return general


def _needs_isolation(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) not in _FREE_CLASSES for ch in text)


def _isolated(text: str, opener: str) -> str:
    return f"{opener}{text}{PDI}"


def _value(lang: str, name: str, value: object, *, inline: bool) -> str:
    """One placeholder's value, escaped and formatted for the language."""
    persian = _language(lang) == "fa"
    if isinstance(value, Raw):
        return value
    if isinstance(value, ProviderError):
        return provider_reason(lang, value)
    if isinstance(value, datetime):
        return format_time(lang, value)
    if isinstance(value, (list, tuple)):
        items = [_value(lang, name, item, inline=True) for item in value]
        return ("، " if persian else ", ").join(items)
    if isinstance(value, bool):
        return str(value)
    if _is_id_field(name):
        text = html.escape(str(value), quote=False)
        if persian and inline and not text.isdigit():
            return _isolated(text, LRI)
        return text
    if isinstance(value, (int, Decimal, float)):
        return format_number(lang, value)
    text = str(value)
    if name not in _NAME_FIELDS:
        # Values a caller formatted already: numbers and times still get the language's digits.
        if _NUMERIC.fullmatch(text):
            try:
                return format_number(lang, Decimal(text.replace(",", "")))
            except InvalidOperation:
                pass
        if (moment := _JALALI_TEXT.fullmatch(text)) is not None:
            return _time_text(lang, moment.group(1), moment.group(2))
    escaped = html.escape(text, quote=False)
    free_text = persian and inline and name in _NAME_FIELDS and "\n" not in text
    return _isolated(escaped, FSI) if free_text and _needs_isolation(text) else escaped


def _is_one(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, Decimal, float)):
        return value == 1
    return str(value).strip() == "1"


def _first_strong(html_line: str) -> str | None:
    """The bidi class (L, R or AL) of the first strong character outside isolates."""
    depth = 0
    for ch in html.unescape(_TAG.sub("", html_line)):
        kind = unicodedata.bidirectional(ch)
        if kind in _ISOLATE_OPEN:
            depth += 1
        elif kind == "PDI":
            depth = max(depth - 1, 0)
        elif depth == 0 and kind in ("L", "R", "AL"):
            return kind
    return None


def _with_direction(lang: str, line: str) -> str:
    """A line of template text, laid out in the language's direction whatever it starts with."""
    if not line.strip():
        return line
    first = _first_strong(line)
    if _language(lang) == "fa":
        return line if first in _STRONG_RTL else RLM + line
    return LRM + line if first in _STRONG_RTL else line


def _isolate_commands(line: str) -> str:
    """Commands and command examples in a Persian template line, isolated left to right."""
    examples = _CODE_COMMAND.split(line)
    for index, piece in enumerate(examples):
        examples[index] = (
            f"<code>{LRI}{piece}{PDI}</code>"
            if index % 2
            else _COMMAND.sub(lambda m: _isolated(m.group(0), LRI), piece)
        )
    return "".join(examples)


def _render_line(lang: str, line: str, values: Mapping[str, object]) -> str:
    matches = list(_PLACEHOLDER.finditer(line))
    if len(matches) == 1 and matches[0].group(0) == line:
        # A value alone on its line (an SMS body, a list of lines made by `t`) keeps its own
        # layout: isolating it, or marking its direction, would change how it reads.
        return _value(lang, line[1:-1], values[line[1:-1]], inline=False)
    persian = _language(lang) == "fa"
    if persian:
        line = _isolate_commands(line)
        matches = list(_PLACEHOLDER.finditer(line))
    pieces: list[str] = []
    position = 0
    for match in matches:
        literal = line[position : match.start()]
        name, singular, plural = match.group(1), match.group(2), match.group(3)
        value = values[name]
        if singular is not None:
            text = singular if _is_one(value) else plural
        else:
            text = _value(lang, name, value, inline=True)
            prefix = _ID_PREFIX.search(literal)
            if persian and _is_id_field(name) and prefix is not None:
                literal = literal[: prefix.start()]
                bare = text.removeprefix(LRI).removesuffix(PDI)
                text = _isolated(prefix.group(0) + bare, LRI)
        pieces += [literal, text]
        position = match.end()
    pieces.append(line[position:])
    return _with_direction(lang, "".join(pieces))


def t(lang: str, key: str, /, **values: object) -> str:
    """The text `key` in `lang` (falling back to Persian), every value escaped and formatted."""
    table = _TEXTS.get(lang, _FA)
    template = table.get(key) or _FA[key]
    return "\n".join(_render_line(lang, line, values) for line in template.split("\n"))


def without_bidi_controls(text: str) -> str:
    """The text with its invisible direction marks and isolates taken out."""
    return "".join(ch for ch in text if ch not in BIDI_CONTROLS)


def missing_keys() -> dict[str, set[str]]:
    """Keys one language has and another lacks (a test keeps this empty)."""
    keys = {lang: set(table) for lang, table in _TEXTS.items()}
    every = set().union(*keys.values())
    return {lang: every - have for lang, have in keys.items() if every - have}


def keys() -> Sequence[str]:
    """Every text key (Persian, the reference language)."""
    return tuple(_FA)
