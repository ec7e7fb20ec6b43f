"""The response cache: content-addressed model answers under the doctree directory."""

from sphinxcontrib_llmdocs.cache.store import (
    CACHE_FORMAT,
    CacheEntry,
    ResponseCache,
    StoredAnswer,
    cache_key,
    iter_entries,
)

__all__ = ["CACHE_FORMAT", "CacheEntry", "ResponseCache", "StoredAnswer", "cache_key", "iter_entries"]
