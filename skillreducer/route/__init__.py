"""Routing: which skill does a request reach? Router implementations, probes and the
candidate pool used by `reduce`'s oracle."""
