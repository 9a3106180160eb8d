"""Campaigns from a file (/bulk): reading it, storing it whole, sending it chunk by chunk."""
