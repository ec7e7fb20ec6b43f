project = "wild"
extensions = ["sphinxcontrib_llmdocs"]
llmdocs_packages = ["src/wild"]
exclude_patterns = ["_build"]
