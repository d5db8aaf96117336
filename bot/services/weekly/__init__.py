"""The weekly engine: run_due, the prompt planner and library, the prompt buttons,
reminders, check-ins, and working hours."""
