"""Rule families. Each module holds the rules of one family, one small class per rule."""

from skillreducer.lint.rules import body, corpus, references, routing, security, spec  # noqa: F401
