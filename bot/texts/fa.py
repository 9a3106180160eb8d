"""The bot's texts in Persian (the default language), by key; `bot.texts.t` fills them in."""

from __future__ import annotations

TEXTS: dict[str, str] = {
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
    # --- webhooks ---
    "alert.webhook_failing": (
        "⚠️ گیرندهٔ وب‌هوک {minutes} دقیقه است که رویدادها را نمی‌پذیرد: {count} رویداد در انتظار است"
        " (آخرین پاسخ: {reason}). تا پاسخ 2xx دوباره فرستاده می‌شوند."
    ),
    "alert.webhook_recovered": "✅ گیرندهٔ وب‌هوک دوباره رویدادها را می‌پذیرد.",
    # --- otp ---
    "alert.unknown_otp": (
        "⚠️ پاسخ سامانهٔ پیامک به ارسال کد تأیید (حساب {account}) نرسید و معلوم نیست کد رفته است"
        " یا نه. کد دوباره فرستاده نمی‌شود."
    ),
}
