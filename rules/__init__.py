"""ftscan's rule catalogue and lifecycle data (YAML files beside this one).

This folder is data, not code; it is a package only so that it ships inside the wheel.
"""
