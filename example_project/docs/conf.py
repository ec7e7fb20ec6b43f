"""Sphinx configuration of the example project: one line of extension, one path to document."""

project = "recipebox"
author = "sphinxcontrib-llmdocs developers"
copyright = "2026, sphinxcontrib-llmdocs developers"

extensions = ["sphinxcontrib_llmdocs"]

# The package to document, relative to this folder.
llmdocs_packages = ["../src/recipebox"]
# Model answers are also written here (commit this folder): Read the Docs builds, which have no API key,
# serve the pages from it.
llmdocs_cache_dir = "llmdocs-cache"

exclude_patterns = ["_build"]
html_theme = "alabaster"
html_title = "recipebox architecture"
