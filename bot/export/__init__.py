"""`/export [days]`: a chat's, a topic's or (admins) a line's SMS as a CSV file."""
