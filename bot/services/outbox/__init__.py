"""The outbox: every message a row, sent exactly once, at the workspace's pace."""
