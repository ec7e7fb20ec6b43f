import sys
from pathlib import Path

# The hostile backend lives next to this file; make it importable as ``module:factory``.
sys.path.insert(0, str(Path(__file__).parent))

project = "hostile"
extensions = ["sphinxcontrib_llmdocs"]
llmdocs_packages = ["src/hostile"]
llmdocs_backend = "llmdocs_hostile_backend:make_backend"
exclude_patterns = ["_build"]
