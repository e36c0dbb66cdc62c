"""Alias resolution: from a definition in config to the code that calls the model by name."""
