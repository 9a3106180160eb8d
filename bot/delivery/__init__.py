"""Delivery reports: when each recipient is asked about, the poll cycle, the confirmations."""
