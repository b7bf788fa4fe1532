"""corpus rules."""
