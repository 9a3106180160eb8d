"""Conversations: a forum topic per customer; writing in it answers that customer."""
