"""Upward: reverse mentoring inside Slack."""
