"""Sending one SMS: `/send` inline and guided, and answering an SMS by replying to it."""
