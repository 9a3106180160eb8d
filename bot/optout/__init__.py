"""Opt-out: an SMS of `11`, `لغو`, `stop`… puts its sender on the line's list; `/optouts`,
`/optin`, `/check`, and the confirmation asked before sending to a listed number."""
