"""routing rules."""
