project = "missing"
extensions = ["sphinxcontrib_llmdocs"]
llmdocs_packages = ["src/does_not_exist"]
