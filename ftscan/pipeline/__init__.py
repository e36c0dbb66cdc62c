"""The scan itself: the repositories of a sweep, one repository's two phases, each file's
examination, and what is applied after (owners, suppressions, baseline, changed lines)."""
