"""A faithful fake of the Telegram Bot API server, and a driver to play the users' side.

Point python-telegram-bot at it with `base_url=f"{url}/bot"` and `base_file_url=f"{url}/file/bot"`
(serve `TelegramFake(token).build_app()` with `sandbox.server.RunningServer`).

What is faithful: the `{ok, result}` / `{ok: false, error_code, description, parameters}`
envelope with the HTTP status equal to `error_code`; parameters read from the query string,
form-encoded or multipart bodies (non-string values JSON-serialised, as PTB sends them) or a
JSON body; parameters checked against the Bot API data in `sandbox/data/telegram-bot-api.json`;
HTML parse_mode parsed like Telegram (`sandbox.telegram.html`); the 4096-character limit counted
in UTF-16 after entity parsing; callback_data ≤ 64 bytes; "message is not modified"; getUpdates
offset, limit, timeout and allowed_updates semantics; 409 when two getUpdates overlap;
privacy mode in groups; flood limits with 429 and `retry_after`; chats the bot cannot post to:
removed from a group (403 "bot was kicked from the supergroup chat" / "bot is not a member of
the supergroup chat", with the `my_chat_member` update), a chat that does not exist (400 "chat
not found"), a group upgraded to a supergroup (400 with `parameters.migrate_to_chat_id`, which
PTB raises as ChatMigrated, and both service messages).

Tests drive the users' side in-process (`user_sends`, `remove_bot`, `migrate_group`,
`fail_requests`, …) or over HTTP through the control API under `/_sandbox/telegram/`: `users`,
`say`, `press`, `upload`, `flood`, `groups`, `remove_bot`, `add_bot`, `delete_chat`, `migrate`,
`faults` (POST, JSON bodies), `messages` (GET, `?chat_id=&since=`) and `requests`
(GET, `?method=&chat_id=`).

Where the fake is stricter than Telegram, on purpose, to catch our bugs:
- a parameter the method does not have is a 400 (Telegram ignores it);
- a bare `&` that starts no HTML entity is a 400 (Telegram keeps it as text);
- parse_mode Markdown/MarkdownV2 is refused (only HTML is implemented).

The package, by job: `spec` (the Bot API data and parameter checks), `state` (chats, messages,
files, updates), `methods` (the Bot API methods), `faults` (flood limits, injected outages),
`server` (the Bot API over HTTP), `driver` (the users' side, in-process), `control` (the users'
side over HTTP), `html` (HTML parse_mode), `fake` (`TelegramFake`, all of it in one object).
"""

from sandbox.telegram.control import CONTROL
from sandbox.telegram.driver import GROUP_OWNER_ID
from sandbox.telegram.fake import TelegramFake
from sandbox.telegram.faults import (
    CHAT_BURST,
    CHAT_PER_SECOND,
    GLOBAL_PER_SECOND,
    GROUP_PER_MINUTE,
    match_request,
)
from sandbox.telegram.methods import (
    CHAT_ACTIONS,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_DOWNLOAD,
    MAX_TEXT,
    MAX_UPLOAD,
)
from sandbox.telegram.spec import (
    SPEC_RESOURCE,
    ApiError,
    ApiSpec,
    FieldSpec,
    UploadedFile,
    check_params,
    dump_spec,
    load_spec,
    main,
    spec_from_data,
    trim_spec,
)
from sandbox.telegram.state import (
    BIDI_CONTROLS,
    DEFAULT_EXCLUDED_UPDATES,
    FIRST_UPDATE_ID,
    CallbackAnswer,
    FakeDocument,
    FakeMessage,
    RecordedRequest,
)

__all__ = [
    "BIDI_CONTROLS",
    "CHAT_ACTIONS",
    "CHAT_BURST",
    "CHAT_PER_SECOND",
    "CONTROL",
    "DEFAULT_EXCLUDED_UPDATES",
    "FIRST_UPDATE_ID",
    "GLOBAL_PER_SECOND",
    "GROUP_OWNER_ID",
    "GROUP_PER_MINUTE",
    "MAX_CALLBACK_DATA",
    "MAX_CAPTION",
    "MAX_DOWNLOAD",
    "MAX_TEXT",
    "MAX_UPLOAD",
    "SPEC_RESOURCE",
    "ApiError",
    "ApiSpec",
    "CallbackAnswer",
    "FakeDocument",
    "FakeMessage",
    "FieldSpec",
    "RecordedRequest",
    "TelegramFake",
    "UploadedFile",
    "check_params",
    "dump_spec",
    "load_spec",
    "main",
    "match_request",
    "spec_from_data",
    "trim_spec",
]
