project = "broken"
extensions = ["sphinxcontrib_llmdocs"]
llmdocs_packages = ["src/broken"]
exclude_patterns = ["_build"]
