"""Code found in the wild."""
