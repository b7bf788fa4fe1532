"""skillreducer: lint and compress agent skills."""

__version__ = "0.1.0"
