"""Alerts to the admins: the sink services post through, its dedupe, the admin-chat sink."""
