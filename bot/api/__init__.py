"""The HTTP API for the business's own software (SPEC §8): sends, their states, OTP, health.

`schemas` holds the pydantic models of every body (the OpenAPI document is made from them),
`service` the logic (keys, scopes, rate limits, what a send body means), `routes` and
`server` the aiohttp side."""
