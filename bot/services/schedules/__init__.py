"""Scheduled announcements, restarts and console commands (issue 19): timing (pure), the
countdown's arithmetic, the console runs (permission and audit) and the runner loop."""
