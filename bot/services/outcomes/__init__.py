"""Outcomes: what changed for the people in a program (self-assessments, for now)."""
