"""ftscan: find every fine-tuned model a repository depends on, and how long it has left."""

__version__ = "0.1.0"
