import sys
from pathlib import Path

here = Path(__file__).parent
# The backend with fixed answers lives next to this file; autodoc imports the package from src/.
sys.path.insert(0, str(here))
sys.path.insert(0, str(here / "src"))

project = "garden"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.intersphinx", "sphinxcontrib_llmdocs"]
llmdocs_packages = ["src/garden"]
llmdocs_backend = "llmdocs_mentions_backend:make_backend"
# A local inventory (python.inv, a few entries of Python's own): intersphinx without network.
intersphinx_mapping = {"python": ("https://docs.python.org/3", str(here / "python.inv"))}
exclude_patterns = ["_build"]
