"""What a scan keeps between runs, never inside the scanned tree: each file's facts, the last
analysis of each repository (replayed when nothing changed) and the reports made of it."""
