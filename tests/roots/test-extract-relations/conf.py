project = "zoo"
extensions = ["sphinxcontrib_llmdocs"]
llmdocs_packages = ["src"]
exclude_patterns = ["_build"]
