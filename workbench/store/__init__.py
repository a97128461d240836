"""Store: the workspace file, importing a list into it, its lock, and the decisions kept there."""
