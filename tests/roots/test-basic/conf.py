project = "shop"
extensions = ["sphinxcontrib_llmdocs"]
llmdocs_packages = ["src/shop"]
exclude_patterns = ["_build"]
