"""Matching: the pure matcher, the rounds a lead previews and confirms, introductions,
and what a pair shares (goals, skills)."""
