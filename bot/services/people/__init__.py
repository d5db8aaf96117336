"""People: joining, the HR directory, workspaces, and who leads."""
