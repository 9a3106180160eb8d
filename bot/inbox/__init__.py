"""Incoming SMS: each line's inbox fetched from its cursor and stored before it is forwarded."""
