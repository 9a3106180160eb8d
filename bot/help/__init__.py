"""`/start`, `/help`, `/language` and the command list."""
