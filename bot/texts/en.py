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
}
