"""A tiny package whose "model" answers try to attack the site."""
