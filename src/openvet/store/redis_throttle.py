"""Throttling counters in Redis (``OPENVET_REDIS_URL``): every server and worker process shares them.

One Lua script, run atomically by Redis in one round trip (EVALSHA), checks every bucket of a request and
takes a hit from each, or from none: a refused request uses up nothing, and two processes never both take
the last hit. Each bucket is a hash (window, hits) that expires after two windows; the window comes from
Redis's own clock, so servers with different clocks count the same minute. The bucket names share a hash
tag (``{clinic:partner}``) so that the keys of one request live on one node of a Redis Cluster.
"""

from __future__ import annotations

import redis

from openvet.store.throttle import Count, Unavailable

TAKE = """
local period = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local window = math.floor(now / period) * period
local hits = {}
local taken = 1
for i, key in ipairs(KEYS) do
  local held = redis.call('HMGET', key, 'window', 'hits')
  local n = 0
  if tonumber(held[1]) == window then n = tonumber(held[2]) end
  hits[i] = n
  if n >= tonumber(ARGV[i + 1]) then taken = 0 end
end
local remaining = nil
for i, key in ipairs(KEYS) do
  if taken == 1 then
    hits[i] = hits[i] + 1
    redis.call('HSET', key, 'window', window, 'hits', hits[i])
    redis.call('EXPIRE', key, period * 2)
  end
  local left = tonumber(ARGV[i + 1]) - hits[i]
  if remaining == nil or left < remaining then remaining = left end
end
if taken == 0 then remaining = 0 end
return {taken, remaining, math.max(1, math.ceil(window + period - now))}
"""


class RedisBuckets:
    def __init__(self, url: str, prefix: str = "openvet:throttle:"):
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix
        self.script = self.client.register_script(TAKE)

    def take(self, buckets: list[tuple[str, int]], period: int) -> Count:
        keys = [self.prefix + bucket for bucket, _ in buckets]
        try:
            taken, remaining, reset = self.script(keys=keys, args=[period, *(limit for _, limit in buckets)])
        except redis.RedisError as error:
            raise Unavailable(f"the throttling counters in Redis cannot be reached: {error}") from error
        return Count(bool(taken), int(remaining), int(reset))

    def close(self) -> None:
        self.client.close()
