"""Per-account throttle and daily cap (max_per_minute, daily_limit), and quiet hours."""
