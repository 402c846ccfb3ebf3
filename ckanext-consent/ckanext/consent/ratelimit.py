"""A fixed-window rate limit in Redis (code redemption attempts)."""
from __future__ import annotations

from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit


def hit(name: str, who: str, limit: int, window_seconds: int) -> tuple[bool, int]:
    """Count one attempt; (allowed, seconds until the window resets)."""
    site = toolkit.config.get("ckan.site_id") or "ckan"
    key = f"{site}:consent:ratelimit:{name}:{who}"
    redis = connect_to_redis()
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, window_seconds, nx=True)
    pipe.ttl(key)
    count, _, ttl = pipe.execute()
    return int(count) <= limit, max(int(ttl), 0)


def reset(name: str, who: str) -> None:
    site = toolkit.config.get("ckan.site_id") or "ckan"
    connect_to_redis().delete(f"{site}:consent:ratelimit:{name}:{who}")
