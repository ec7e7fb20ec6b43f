import os
import sys

# The slow backend lives next to this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

project = "shop"
extensions = ["sphinxcontrib_llmdocs"]
llmdocs_packages = ["src/shop"]
llmdocs_backend = "slow_backend:SlowBackend"
llmdocs_max_concurrency = 2
exclude_patterns = ["_build"]
