"""Programs: their settings, and their start and end on the calendar."""
