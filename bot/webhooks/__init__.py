"""Webhooks (SPEC §8): events stored in the outbox with what they tell of, POSTed signed to
`api.webhook_url` until the receiver answers 2xx, across restarts."""
