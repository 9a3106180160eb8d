"""Settings every test shares."""

from __future__ import annotations

from hypothesis import settings

# Speed is checked by bench/, not by the tests: Hypothesis's per-example deadline (200 ms) is a
# timed test in disguise, and it failed test_phone on a loaded 2-CPU machine (389 ms).
settings.register_profile("sms-bridge", deadline=None)
settings.load_profile("sms-bridge")
