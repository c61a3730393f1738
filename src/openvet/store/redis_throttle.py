"""Throttling counters in Redis (``OPENVET_REDIS_URL``): every server and worker process shares them.

One Lua script, run atomically by Redis in one round trip (EVALSHA), checks both budgets of a call (its
endpoint's and its subject's global one, a hash each) and takes a hit from both, or from neither: a refused
call uses up nothing, and two processes never both take the last hit. Each budget is a hash (window, hits)
that expires after two windows; the window comes from Redis's own clock, so servers with different clocks
count the same minute. The subject carries a hash tag (``{clinic:partner}``) so that the keys of one call
live on one node of a Redis Cluster.
"""

from __future__ import annotations

import asyncio
import weakref

import redis
import redis.asyncio

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
    """Asynchronous: the script runs on the event loop (no worker thread). A client per event loop, since an
    asyncio connection belongs to the loop that made it (a server has one per process, the test client one
    per client)."""

    def __init__(self, url: str, prefix: str = "openvet:throttle:"):
        self.url = url
        self.prefix = prefix
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _script(self):
        loop = asyncio.get_running_loop()
        made = self._clients.get(loop)
        if made is None:
            client = redis.asyncio.Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=5)
            made = self._clients[loop] = client.register_script(TAKE)
        return made

    async def take(self, subject: str, endpoint: str, limit: int, overall: int, period: int) -> Count:
        keys = [f"{self.prefix}{subject}:{endpoint}", f"{self.prefix}{subject}:*"]
        try:
            taken, remaining, reset = await self._script()(keys=keys, args=[period, limit, overall])
        except redis.RedisError as error:
            raise Unavailable(f"the throttling counters in Redis cannot be reached: {error}") from error
        return Count(bool(taken), int(remaining), int(reset))
