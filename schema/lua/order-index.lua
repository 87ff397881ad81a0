-- The order index of one list of messages (a chat, or one author in a chat): its sort keys
-- (chatcache.query.MessageOrder) in lexicographic order, split into buckets of at most
-- ARGV[2] keys so that every bucket stays a small listpack-encoded sorted set.
--
-- why buckets: one big sorted set costs ~130 bytes per key (skiplist + dict); a listpack costs
-- ~25. The directory KEYS[1] is a sorted set (all scores 0) of the buckets' lower bounds; the
-- bucket with bound B is the sorted set KEYS[1] .. '|' .. B and holds the keys from B up to the
-- next bound. The first bound may be '' (below every key). Bucket keys are derived here rather
-- than passed in: chatcache runs on one Redis, not a cluster.
--
-- KEYS[1] = directory; ARGV[1] = operation; the rest depends on it:
--   add    ARGV[2] = bucket size, ARGV[3..] = sort keys     -> number of keys added
--   remove ARGV[2..] = sort keys                             -> number of keys removed
--   older  ARGV[2] = count, ARGV[3] = exclusive bound or '' (from the newest) -> keys, newest first
--   newer  ARGV[2] = count, ARGV[3] = exclusive bound       -> keys, oldest first
--   all                                                      -> every key, oldest first
--   size                                                     -> number of keys (bucket by bucket: for checks)
--   keys                                                     -> the bucket key names (for memory probes)
--   after  ARGV[2] = sort key or '' (below every key)        -> number of keys above it, in O(log n)
--   unread KEYS[2] = the author's list in the same chat, KEYS[3] = the chat's hash (chats:C),
--          ARGV[2] = the member's user id                  -> {marker or '', keys above the marker
--                                                              in KEYS[1] but not in KEYS[2]}, or
--                                                              nil when the user is no member
--
-- why counts: each list keeps, in the hash KEYS[1] .. '|#', for every bucket bound the number of
-- keys in the buckets below it, so that "how many keys above K" is that count plus a ZLEXCOUNT in
-- one bucket, subtracted from the total: O(log n) whatever the size of the list. New keys are
-- nearly always the newest (the last bucket), which changes no count; a key added or removed
-- further down shifts the counts of the buckets above it (one HINCRBY each).
--
-- older and newer may be guarded: KEYS[2] = the marker of a complete cache, KEYS[3] = the set of
-- chats being rebuilt, ARGV[4] = the list's chat. Unless the cache holds that whole chat, the
-- reply is an INCOMPLETE error and nothing is read. why here: the reader learns what the cache
-- holds and which messages to fetch in one round trip instead of two, and atomically.
local dir = KEYS[1]
local op = ARGV[1]

if KEYS[2] and (op == 'older' or op == 'newer') then
  if redis.call('EXISTS', KEYS[2]) == 0 or redis.call('SISMEMBER', KEYS[3], ARGV[4]) == 1 then
    return redis.error_reply('INCOMPLETE the cache does not hold chat ' .. ARGV[4])
  end
end

local function bucket(bound)
  return dir .. '|' .. bound
end

-- a > b byte by byte, as Redis orders members by lex. why not Lua's '>': it compares with strcoll,
-- and Redis sets LC_COLLATE from its environment, where sort keys ('-', '_', both cases) would
-- not compare by bytes under a locale such as en_US.UTF-8
local function above(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x > y
    end
  end
  return #a > #b
end

local counts = dir .. '|#'

-- the number of keys in the buckets below this bound
local function below(d, bound)
  return tonumber(redis.call('HGET', d .. '|#', bound) or '0')
end

-- adds delta to the counts of every bucket above this bound
local function shiftAbove(bound, delta)
  for _, b in ipairs(redis.call('ZRANGEBYLEX', dir, '(' .. bound, '+')) do
    redis.call('HINCRBY', counts, b, delta)
  end
end

-- the number of keys above key ('' for all) in list d
local function countAbove(d, key)
  local last = redis.call('ZREVRANGE', d, 0, 0)[1]
  if not last then
    return 0
  end
  local total = below(d, last) + redis.call('ZCARD', d .. '|' .. last)
  if key == '' then
    return total
  end
  local bound = redis.call('ZREVRANGEBYLEX', d, '[' .. key, '-', 'LIMIT', 0, 1)[1]
  if not bound then
    return total
  end
  return total - below(d, bound) - redis.call('ZLEXCOUNT', d .. '|' .. bound, '-', '[' .. key)
end

-- the bound of the bucket that holds (or would hold) key
local function boundOf(key)
  return redis.call('ZREVRANGEBYLEX', dir, '[' .. key, '-', 'LIMIT', 0, 1)[1]
end

local function nextBound(bound)
  return redis.call('ZRANGEBYLEX', dir, '(' .. bound, '+', 'LIMIT', 0, 1)[1]
end

local function previousBound(bound)
  return redis.call('ZREVRANGEBYLEX', dir, '(' .. bound, '-', 'LIMIT', 0, 1)[1]
end

if op == 'add' then
  -- why split before adding: a sorted set that once grew past zset-max-listpack-entries stays a
  -- skiplist for good, so a bucket must never hold more than the cap, not even for a moment
  local cap = tonumber(ARGV[2])
  local added = 0
  for i = 3, #ARGV do
    local key = ARGV[i]
    local bound = boundOf(key)
    if not bound then
      bound = ''
      redis.call('ZADD', dir, 0, bound)
      redis.call('HSET', counts, bound, 0)
    end
    local b = bucket(bound)
    if not redis.call('ZSCORE', b, key) then
      local n = redis.call('ZCARD', b)
      if n >= cap then
        if nextBound(bound) == nil and above(key, redis.call('ZRANGE', b, -1, -1)[1]) then
          -- a new newest key (the usual write): it starts the next bucket, this one stays full
          redis.call('HSET', counts, key, below(dir, bound) + n)
          bound = key
          redis.call('ZADD', dir, 0, bound)
        else
          local half = math.floor(n / 2)
          local upper = redis.call('ZRANGE', b, half, -1)
          redis.call('ZREMRANGEBYRANK', b, half, -1)
          local args = {}
          for j = 1, #upper do
            args[#args + 1] = 0
            args[#args + 1] = upper[j]
          end
          redis.call('ZADD', bucket(upper[1]), unpack(args))
          redis.call('ZADD', dir, 0, upper[1])
          redis.call('HSET', counts, upper[1], below(dir, bound) + half)
          bound = boundOf(key)
        end
        b = bucket(bound)
      end
      redis.call('ZADD', b, 0, key)
      shiftAbove(bound, 1)
      added = added + 1
    end
  end
  return added
elseif op == 'remove' then
  local removed = 0
  for i = 2, #ARGV do
    local bound = boundOf(ARGV[i])
    if bound then
      local b = bucket(bound)
      if redis.call('ZREM', b, ARGV[i]) == 1 then
        removed = removed + 1
        shiftAbove(bound, -1)
        if redis.call('EXISTS', b) == 0 then
          redis.call('ZREM', dir, bound)
          redis.call('HDEL', counts, bound)
        end
      end
    end
  end
  return removed
elseif op == 'older' then
  local count = tonumber(ARGV[2])
  local from = ARGV[3]
  local out = {}
  local bound, upper
  if from == '' then
    bound = redis.call('ZREVRANGE', dir, 0, 0)[1]
    upper = '+'
  else
    bound = boundOf(from)
    upper = '(' .. from
  end
  while bound and #out < count do
    local got = redis.call('ZREVRANGEBYLEX', bucket(bound), upper, '-', 'LIMIT', 0, count - #out)
    for j = 1, #got do
      out[#out + 1] = got[j]
    end
    upper = '+'
    bound = previousBound(bound)
  end
  return out
elseif op == 'newer' then
  local count = tonumber(ARGV[2])
  local lower = '(' .. ARGV[3]
  local out = {}
  local bound = boundOf(ARGV[3]) or redis.call('ZRANGE', dir, 0, 0)[1]
  while bound and #out < count do
    local got = redis.call('ZRANGEBYLEX', bucket(bound), lower, '+', 'LIMIT', 0, count - #out)
    for j = 1, #got do
      out[#out + 1] = got[j]
    end
    bound = nextBound(bound)
  end
  return out
elseif op == 'all' then
  local out = {}
  for _, bound in ipairs(redis.call('ZRANGE', dir, 0, -1)) do
    for _, key in ipairs(redis.call('ZRANGE', bucket(bound), 0, -1)) do
      out[#out + 1] = key
    end
  end
  return out
elseif op == 'size' then
  local n = 0
  for _, bound in ipairs(redis.call('ZRANGE', dir, 0, -1)) do
    n = n + redis.call('ZCARD', bucket(bound))
  end
  return n
elseif op == 'keys' then
  local out = {}
  for _, bound in ipairs(redis.call('ZRANGE', dir, 0, -1)) do
    out[#out + 1] = bucket(bound)
  end
  if redis.call('EXISTS', counts) == 1 then
    out[#out + 1] = counts
  end
  return out
elseif op == 'after' then
  return countAbove(dir, ARGV[2])
elseif op == 'unread' then
  local user = ARGV[2]
  if redis.call('HEXISTS', KEYS[3], 'm:' .. user) == 0 then
    return nil
  end
  local marker = redis.call('HGET', KEYS[3], 'r:' .. user) or ''
  return {marker, countAbove(dir, marker) - countAbove(KEYS[2], marker)}
end
return redis.error_reply('order-index: unknown operation ' .. tostring(op))
