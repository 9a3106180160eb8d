"""Forwarding stored SMS to their chats: what goes where (service), posting it (jobs)."""
