"""Sphinx configuration of the example project: one line of extension, one path to document."""

project = "recipebox"
author = "sphinxcontrib-llmdocs developers"
copyright = "2026, sphinxcontrib-llmdocs developers"

extensions = ["sphinxcontrib_llmdocs"]

# The package to document, relative to this folder.
llmdocs_packages = ["../src/recipebox"]

exclude_patterns = ["_build"]
html_theme = "alabaster"
html_title = "recipebox architecture"
