"""A package with one file that does not parse."""
