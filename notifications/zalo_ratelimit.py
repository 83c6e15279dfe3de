"""The process-wide pace of Zalo requests (``DONDOC_ZALO_RATE_PER_SECOND``, default 5)."""

from __future__ import annotations

import logging
import threading
import time

from dondoc.settings import current_settings
from notifications.secrets import LOGGER_NAME, install_mask_filter

log = install_mask_filter(logging.getLogger(LOGGER_NAME))

DEFAULT_RATE_PER_SECOND = 5.0


class TokenBucket:
    """Thread-safe token bucket. Callers reserve a slot and sleep until it comes."""

    def __init__(self, rate: float, capacity: float = 1.0) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping as long as needed; return the time waited."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            # Going negative reserves a future slot, so concurrent callers queue up fairly.
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait > 0:
            time.sleep(wait)
        return wait


_bucket: TokenBucket | None = None
_bucket_guard = threading.Lock()


def configured_rate() -> float:
    """Requests per second from the settings; a value that is not a number means the default."""
    raw = current_settings().zalo_rate_per_second
    if not raw:
        return DEFAULT_RATE_PER_SECOND
    try:
        return max(0.0, float(raw))
    except ValueError:
        log.warning(
            "DONDOC_ZALO_RATE_PER_SECOND=%r không phải số; dùng %s.", raw, DEFAULT_RATE_PER_SECOND
        )
        return DEFAULT_RATE_PER_SECOND


def rate_limiter() -> TokenBucket:
    """The process-wide bucket (capacity 1: requests are spaced, never bursted)."""
    global _bucket
    rate = configured_rate()
    with _bucket_guard:
        if _bucket is None or _bucket.rate != rate:
            _bucket = TokenBucket(rate)
        return _bucket


def reset_rate_limiter() -> None:
    """Forget the bucket: the next request starts with a full one."""
    global _bucket
    with _bucket_guard:
        _bucket = None


__all__ = [
    "DEFAULT_RATE_PER_SECOND",
    "TokenBucket",
    "configured_rate",
    "rate_limiter",
    "reset_rate_limiter",
]
