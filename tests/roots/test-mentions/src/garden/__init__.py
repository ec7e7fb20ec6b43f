"""Plants and the tools that tend them."""
