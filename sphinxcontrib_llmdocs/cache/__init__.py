"""The response cache: content-addressed model answers under the doctree directory."""

from sphinxcontrib_llmdocs.cache.store import CACHE_FORMAT, ResponseCache, cache_key

__all__ = ["CACHE_FORMAT", "ResponseCache", "cache_key"]
