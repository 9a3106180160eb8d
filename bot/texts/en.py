"""The bot's texts in English, by key (the same keys as Persian); `bot.texts.t` fills them in."""

from __future__ import annotations

TEXTS: dict[str, str] = {
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
    # --- campaigns ---
    "cmd.bulk": "a campaign from a CSV, TXT or XLSX file, each row with its own fields",
    "bulk.ask_file": (
        "Send the campaign's file: CSV, TXT (one number a line) or XLSX, up to 20 MB and"
        " {max} rows. A <code>mobile</code> column (or شماره) holds the numbers, a"
        " <code>text</code> column (or متن) each row's text; other columns are {placeholder}-style"
        " placeholders. /cancel to stop."
    ),
    "bulk.file_only": "Send the campaign's file as a document (or /cancel).",
    "bulk.ask_text": (
        "The file has {count|row|rows} to send to and no text column. Send the text now; it"
        " may hold the placeholders {fields}."
    ),
    "bulk.no_fields": "(none: the file has no other columns)",
    "bulk.problem.unsupported": (
        "«{name}» is not a CSV, TXT or XLSX file; nothing was stored or sent."
    ),
    "bulk.problem.empty": "The file holds no rows; nothing was stored or sent.",
    "bulk.problem.too_large": (
        "The file is over 20 MB, the most a bot may download; nothing was stored or sent."
    ),
    "bulk.problem.too_many_rows": (
        "The file has {count} rows, more than the {limit} a campaign may have; nothing was"
        " stored or sent."
    ),
    "bulk.problem.undecodable": (
        "The file's text is neither UTF-8 nor Windows-1256; save it as «CSV UTF-8» and send it"
        " again. Nothing was stored or sent."
    ),
    "bulk.problem.unreadable": "The XLSX file cannot be opened; nothing was stored or sent.",
    "bulk.problem.no_phone_column": (
        "No phone column found: head it mobile, phone, number, شماره, موبایل or تلفن. Nothing"
        " was stored or sent."
    ),
    "bulk.problem.no_valid_rows": (
        "Every row is invalid ({count|row|rows}); nothing was stored or sent.\nThe first:"
    ),
    "bulk.problem.unknown_placeholders": (
        "The text names placeholders no column provides: {names}. Columns: {columns}. Nothing"
        " was stored or sent."
    ),
    "bulk.problem.rows_too_long": (
        "{count|row is|rows are} over the {limit} parts a text may take: {rows}. Nothing was"
        " stored or sent."
    ),
    "bulk.problem.long_row": "row {row} ({parts} parts)",
    "bulk.problem.empty_template": "The text is empty; nothing was stored or sent.",
    "bulk.problem.nothing_to_send": (
        "No number is left to send to: {blacklisted} on the carriers' blacklist, {opted_out}"
        " opted out. Nothing was stored or sent."
    ),
    "bulk.problem.download": "The file could not be downloaded from Telegram; please send it again.",
    "bulk.invalid_row": "row {row}: {raw} — {why}",
    "bulk.why.empty_number": "no number",
    "bulk.why.empty_text": "no text",
    "bulk.why.invalid_number": "not a valid Iranian mobile",
    "bulk.preview": (
        "Campaign #c{campaign_id} from «{file}» — preview (nothing sent yet)\n"
        "Rows read: {rows}\nValid: {valid}\nInvalid: {invalid}\nDuplicates dropped: {duplicates}\n"
        "On the carriers' blacklist: {blacklisted}\nOpted out: {opted_out}\n"
        "To send: {to_send}\nParts per message: {parts}\nTotal parts: {total_parts}\n"
        "Cost: {cost}\nAccount {account}, line {line}"
    ),
    "bulk.blacklist_unchecked": "not checked (the account cannot check it)",
    "bulk.blacklist_failed": "not checked ({reason})",
    "bulk.parts_range": "{low} to {high}",
    "bulk.cost_known": "{cost} (credit {credit})",
    "bulk.cost_unknown": "unknown ({reason})",
    "bulk.invalid_header": "Invalid rows (the first ten):",
    "bulk.empty_placeholders": "Some rows leave these placeholders empty: {names}",
    "bulk.example": "Example:\n{text}",
    "bulk.not_enough_credit": (
        "⛔ The cost {cost} is over the account's credit {credit}: Send is refused."
    ),
    "button.bulk_send": "✅ Send",
    "button.bulk_schedule": "🕒 Schedule",
    "button.bulk_cancel": "✖️ Cancel",
    "button.bulk_pause": "⏸ Pause",
    "button.bulk_resume": "▶️ Resume",
    "bulk.not_yours": "Only the person who uploaded this campaign may do that; nothing changed.",
    "bulk.gone": "This campaign is no longer waiting for that; nothing changed.",
    "bulk.no_credit_refused": "Not enough credit for this campaign; nothing was sent.",
    "bulk.cancelled": "Campaign #c{campaign_id} cancelled; nothing more will be sent.",
    "bulk.progress": "Campaign #c{campaign_id}: {done} / {total} — {percent}% {bar} — {failed} failed",
    "bulk.state.running": "Sending…",
    "bulk.state.scheduled": "Starts at {time}.",
    "bulk.state.paused": "Paused.",
    "bulk.state.paused_limit": "Paused: {reason}. Resume when the account can send again.",
    "bulk.state.quiet_hours": "Quiet hours: paused until {time}, then it resumes on its own.",
    "bulk.state.throttle": "At the account's per-minute limit: waiting until {time}.",
    "bulk.state.daily_limit": "At the account's daily limit: waiting until {time}.",
    "bulk.summary": (
        "Campaign #c{campaign_id} {how}.\nDelivered: {delivered}\nSent, no report yet: {sent}\n"
        "Failed: {failed}\nUnknown: {unknown}\nSkipped: {skipped}\nNot sent: {not_sent}"
    ),
    "bulk.how.done": "finished",
    "bulk.how.cancelled": "cancelled",
    "bulk.report_caption": "Every recipient's outcome, campaign #c{campaign_id}",
    "bulk.status_not_found": "Campaign #c{campaign_id} not found.",
    "alert.campaign_paused": (
        "⚠️ Campaign #c{campaign_id} on {account} paused: {reason}. Nothing of its chunk went;"
        " it resumes when someone presses Resume."
    ),
    "alert.campaign_unknown": (
        "⚠️ Campaign #c{campaign_id} on {account}: {count|recipient|recipients} may or may not"
        " have received their SMS; they are never sent again automatically."
    ),
    "alert.campaign_interrupted": (
        "⚠️ Campaign #c{campaign_id} on {account} was sending when the bridge stopped: its"
        " {count|recipient|recipients} in flight are unknown and never resent; the rest goes on."
    ),
    "reason.throttle": "the account's per-minute limit is reached (max_per_minute)",
    "reason.daily_limit": "the account's daily limit is reached (daily_limit); nothing was sent",
    "bulk.ask_when": (
        "When should campaign #c{campaign_id} start? Tehran time: <code>14:30</code>,"
        " <code>1403/09/01 14:30</code>, <code>2026-11-22 14:30</code>, <code>+2h</code>,"
        " <code>+30m</code>, <code>+1d</code>. /cancel to stop."
    ),
    "bulk.scheduled": "Campaign #c{campaign_id} starts at {time} (Tehran time).",
    "bulk.when.unparseable": "«{raw}» is not a time; send one of the forms above.",
    "bulk.when.no_such_date": "«{raw}» is a date or time that does not exist; send another.",
    "bulk.when.past": "«{raw}» has passed already; send a time still to come.",
    "bulk.when.too_far": "«{raw}» is more than a year ahead; send a nearer time.",
    # --- opt-out and scheduling ---
    "optout.marked": "🚫 Opt-out: this number asked this line to send it no more SMS",
    "cmd.schedule": "send later: <code>/schedule 14:30 0912… text</code>",
    "cmd.scheduled": "this chat's scheduled sends, to cancel one",
    "cmd.check": "blacklist and opt-out check: <code>/check 0912…</code>",
    "cmd.prices": "the accounts' price of an SMS part",
    "cmd.optouts": "the numbers that opted out",
    "cmd.optin": "take a number off the opt-out list: <code>/optin 0912…</code>",
    "optout.warning": (
        "⚠️ {count} {count|recipient has|recipients have} asked line {line} to send them no"
        " more SMS (opted out): {number}"
    ),
    "optout.ask": "Send to them anyway?",
    "button.send_anyway": "⚠️ Send anyway",
    "optout.prompt_expired": "This question is no longer valid; nothing was sent. Please ask again.",
    "optout.list_empty": "No number has opted out.",
    "optout.list_header": "{count} opted-out {count|number|numbers}:",
    "optout.line_header": "Line {line} ({count}):",
    "optout.item": "• {number} — {time} — {how}",
    "optout.by_sms": "by SMS «{text}»",
    "optout.by_admin": "by an admin",
    "optout.optin_usage": (
        "Usage: <code>/optin number</code> (off every line's list) or"
        " <code>/optin number line</code>"
    ),
    "optout.optin_not_listed": "{number} is not on the opt-out list; nothing changed.",
    "optout.optin_done": "{number} is off the opt-out list; it can be sent SMS again.",
    "check.usage": "Usage: <code>/check numbers</code>",
    "check.header": "Check for sending from line {line}:",
    "check.blacklist_from": "Carriers' blacklist as account {account} sees it.",
    "check.no_blacklist": (
        "Account {account} ({provider}) cannot check the carriers' blacklist: its provider has"
        " no such method. Only our opt-out list was checked."
    ),
    "check.blacklist_failed": (
        "The carriers' blacklist could not be checked on account {account}: {reason}. Only our"
        " opt-out list was checked."
    ),
    "check.item": "• {number}: {marks}",
    "check.blacklisted": "⛔ on the carriers' blacklist",
    "check.opted_out": "🚫 opted out of line {line}",
    "check.clear": "✅ can be sent to",
    "check.not_opted_out": "not opted out",
    "prices.header": "Price of one SMS part:",
    "prices.line": "• {account}: Persian {persian} rials, Latin {latin} rials",
    "prices.unsupported": "• {account}: its provider ({provider}) does not tell its prices",
    "prices.error": "• {account}: unknown ({reason})",
    "schedule.usage": (
        "Usage: <code>/schedule when numbers text</code>\n"
        "For example <code>/schedule 14:30 09123456789 Hello</code>"
    ),
    "schedule.forms": (
        "Times are Tehran time:\n"
        "<code>/schedule 14:30 …</code> today, or tomorrow if it has passed\n"
        "<code>/schedule 1403/09/01 14:30 …</code> Jalali\n"
        "<code>/schedule 2026-11-22 14:30 …</code> Gregorian\n"
        "<code>/schedule +2h …</code> (or <code>/schedule +30m …</code>, <code>/schedule +1d …</code>)"
    ),
    "schedule.when.unparseable": "“{value}” is not a time I can read; nothing was scheduled.",
    "schedule.when.no_such_date": "There is no such date or time as “{value}”; nothing was scheduled.",
    "schedule.when.past": "That time has passed already; nothing was scheduled.",
    "schedule.when.too_far": "“{value}” is more than a year away; nothing was scheduled.",
    "schedule.confirmed": (
        "⏰ Scheduled send #{schedule_id}: {count} {count|recipient|recipients}, {parts}"
        " {parts|part|parts}, from line {line} ({account})\nAt {time} (Tehran time)"
    ),
    "button.cancel_schedule": "✖️ Cancel #{schedule_id}",
    "schedule.list_empty": "This chat has no scheduled sends waiting.",
    "schedule.list_header": "Scheduled sends waiting in this chat: {count}",
    "schedule.list_item": (
        "#{schedule_id} · {time} · {count} {count|recipient|recipients} · line {line}\n  {text}"
    ),
    "schedule.list_more": "… and {count} more",
    "schedule.not_found": "This scheduled send is not there any more.",
    "schedule.cancel_not_yours": (
        "Only the person who scheduled it or an admin may cancel it; nothing changed."
    ),
    "schedule.cancelled": "Scheduled send #{schedule_id} is cancelled; nothing will be sent.",
    "schedule.cancel_in_flight": (
        "Scheduled send #{schedule_id} is being sent right now; it can no longer be cancelled."
    ),
    "schedule.cancel_final": "Scheduled send #{schedule_id} is {state}; nothing changed.",
    "schedule.state.pending": "waiting",
    "schedule.state.sent": "sent already",
    "schedule.state.missed": "missed",
    "schedule.state.cancelled": "cancelled already",
    "schedule.state.failed": "failed",
    "schedule.missed": (
        "⏰ Scheduled send #{schedule_id} for {time} was missed: the bridge was not running then,"
        " and it is more than 6 hours late now. Nothing was sent. (Asked by user {user_id}.)"
    ),
    "schedule.failed": "⏰ Scheduled send #{schedule_id} could not be sent: {error}",
    "schedule.failed_send": "⏰ Scheduled send #{schedule_id} could not be sent:",
    # --- otp and failover ---
    # --- webhooks ---
    "alert.webhook_failing": (
        "⚠️ The webhook receiver has not accepted events for {minutes} min: {count} {count|event|events}"
        " wait (last answer: {reason}). They are retried until it answers 2xx."
    ),
    "alert.webhook_recovered": "✅ The webhook receiver accepts events again.",
    # --- otp ---
    "alert.unknown_otp": (
        "⚠️ The SMS provider's answer to a verification code ({account}) did not arrive; whether"
        " the code went is unknown, and it will not be resent."
    ),
    "failover.note": "↪️ Sent through account “{account}”: account “{name}” sent nothing: {reason}",
    "otp.usage": "To send a verification code: <code>/otp 0912…</code>",
    "otp.verify_usage": "To check a verification code: <code>/verify 0912… code</code>",
    "otp.sent": (
        "✅ Verification code sent to {number} ({account}); valid until {time}.\n"
        "Check it: <code>/verify</code> number and code"
    ),
    "otp.sent_unknown": (
        "⚠️ The SMS provider's answer did not arrive; the code may have reached {number}"
        " ({account}). If it did, it is valid until {time}. It will not be resent, to avoid"
        " sending it twice."
    ),
    "otp.failover": "↪️ Sent through account “{account}”: account “{name}” could not send it.",
    "otp.rate_limited": (
        "⏳ This number was sent a code a moment ago; try again in {seconds}"
        " {seconds|second|seconds}."
    ),
    "otp.invalid_number": "❌ {raw}: {reason}",
    "otp.unsupported": (
        "❌ The SMS provider of account “{account}” does not make verification codes itself;"
        " mode provider is for a RayganSMS account only."
    ),
    "otp.send_failed": "❌ The verification code was not sent: {reason}",
    "otp.not_sent": "❌ The verification code was not sent.",
    "otp.valid": "✅ The code is valid.",
    "otp.wrong": "❌ Wrong code. {count} {count|check|checks} left.",
    "otp.malformed": (
        "❌ A code is {length} digits. Not counted; {count} {count|check|checks} left."
    ),
    "otp.malformed_digits": (
        "❌ A code is digits only. Not counted; {count} {count|check|checks} left."
    ),
    "otp.expired": "⌛ The code has expired. Send a new one with /otp.",
    "otp.too_many_checks": (
        "🚫 This code was checked too many times and is no longer accepted. Send a new one"
        " with /otp."
    ),
    "otp.no_code": "ℹ️ No code is waiting to be checked for this number. Send one with /otp.",
    "otp.check_failed": "⚠️ The code could not be checked: {reason}. Not counted; try again.",
    "cmd.otp": "send a verification code: <code>/otp 0912…</code>",
    "cmd.verify": "check a verification code: <code>/verify 0912… code</code>",
    # --- /scheduled lists campaigns too ---
    "schedule.list_campaign": (
        "campaign #c{campaign_id} · {time} · {count} {count|recipient|recipients} · line {line}\n  {name}"
    ),
    "button.cancel_campaign": "✖️ Cancel campaign #c{campaign_id}",
}
