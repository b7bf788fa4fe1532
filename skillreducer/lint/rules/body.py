"""body rules."""
