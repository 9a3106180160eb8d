"""Verification codes: `/otp`, `/verify` and the service the HTTP API shares."""
