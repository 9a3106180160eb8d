"""Texts: every key in both languages, values escaped."""

from __future__ import annotations

from bot.texts import Raw, missing_keys, t


def test_every_text_exists_in_both_languages() -> None:
    assert missing_keys() == {}


def test_values_are_escaped_unless_raw() -> None:
    assert t("en", "status_not_found", send_id="<b>&") == "Send #&lt;b&gt;&amp; was not found."
    assert "<b>" in t("en", "start", name="x", role="r", commands=Raw("<b>c</b>"))


def test_unknown_language_falls_back_to_persian() -> None:
    assert t("de", "cancelled") == t("fa", "cancelled")
