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
--          KEYS[4] = the chat's held key, KEYS[5] = the set of chats being rebuilt, KEYS[6] = the
--          chat's below-epoch, ARGV[2] = the member's user id, ARGV[3] = the chat
--                                 -> {marker or '', keys above the marker in KEYS[1] but not in
--                                     KEYS[2], the chat's boundary or 'none' when Redis does not
--                                     hold its messages, 'loading' while it is being loaded, the
--                                     below-epoch or '0'}, or
--                                     nil when the user is no member (why the load checked here: a
--                                     load sets the boundary to '' before its first batch, so a
--                                     count read then would miss what is not loaded yet)
--
-- why counts: each list keeps, in the hash KEYS[1] .. '|#', for every bucket bound the number of
-- keys in the buckets below it, so that "how many keys above K" is that count plus a ZLEXCOUNT in
-- one bucket, subtracted from the total: O(log n) whatever the size of the list. New keys are
-- nearly always the newest (the last bucket), which changes no count; a key added or removed
-- further down shifts the counts of the buckets above it (one HINCRBY each), once per call: the
-- shifts of a call's keys are summed per bucket (pending) and applied when it ends, in one pass
-- over the buckets above the lowest one touched. why once per call: a load adds a chat's keys
-- newest first, each batch below every key already there; shifting every bucket above at each key
-- made loading a whole chat quadratic (measured: a chat of 30,000 messages took over a minute,
-- one call 14-30 ms; a chat of 1,000,000 would take days).
--
-- older and newer may be guarded: KEYS[2] = the marker of a complete cache, KEYS[3] = the set of
-- chats being rebuilt, KEYS[4] = the chat's held key (held:C, whose value is its boundary: the
-- sort key of the oldest message Redis holds of it, '' when it holds the whole chat), ARGV[4] =
-- the list's chat. Unless the cache holds that chat, the reply is an INCOMPLETE error (NOTHELD
-- when only the chat's held key is missing) and nothing is read; else the reply is the boundary,
-- the list's far end in the walk's direction (its oldest key walking older, its newest walking
-- newer; '' when empty), then the keys. why here: the reader learns what the cache holds, where
-- its window ends, how far a walk may go, and which messages to fetch in one round trip, atomically.
-- With ARGV[6] = 'position', the boundary and far key are followed by where a client reading
-- this page joins the chat's events: the cache's marker and the chat's last event id
-- (last_event_id), read in the same step as the keys (what events-position.lua answers).
-- With ARGV[5] = 'fetch', the keys are followed by each key's message, in the same order: its
-- hash's chat, user, text, createdAt, data and read fields (false for a field it lacks). why: an
-- unfiltered page is then one call, read atomically with the keys that name it, where it was this
-- call plus an FT.SEARCH INKEYS that had to agree with it.
--
--   held   KEYS[2] = the chat's held key, ARGV[2] = bucket size, ARGV[3..] = sort keys: add,
--          only while Redis holds the chat and only keys at or above its boundary -> keys added
--   trim   KEYS[2] = the chat's held key, ARGV[2] = the window, ARGV[3] = at most this many,
--          ARGV[4] = the index to FT.DEL from ('' when the index follows the hashes, 2.x):
--          while the chat's list (KEYS[1]) holds more keys than the window, its oldest message
--          leaves Redis (its key from this list and its author's, its hash, its index entry), and
--          the boundary moves to the oldest key left, in this one call -> the ids trimmed
local dir = KEYS[1]
local op = ARGV[1]

if KEYS[2] and (op == 'older' or op == 'newer') then
  if redis.call('EXISTS', KEYS[2]) == 0 or redis.call('SISMEMBER', KEYS[3], ARGV[4]) == 1 then
    return redis.error_reply('INCOMPLETE the cache does not hold chat ' .. ARGV[4])
  end
end
local boundary
if KEYS[4] and (op == 'older' or op == 'newer') then
  boundary = redis.call('GET', KEYS[4])
  if not boundary then
    return redis.error_reply('NOTHELD Redis does not hold the messages of chat ' .. ARGV[4])
  end
end

-- the bucket of list d whose lower bound is bound
local function bucket(d, bound)
  return d .. '|' .. bound
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

-- pending[d][bound]: keys added to (+) or removed from (-) that bucket of list d in this call,
-- not yet added to the stored counts of the buckets above it. The number of keys below a bound is
-- its stored count plus the pending changes of the buckets below it.
local pending = {}

local function pendingBelow(d, bound)
  local sum = 0
  for b, delta in pairs(pending[d] or {}) do
    if above(bound, b) then
      sum = sum + delta
    end
  end
  return sum
end

-- the number of keys in the buckets of list d below this bound
local function below(d, bound)
  return tonumber(redis.call('HGET', d .. '|#', bound) or '0') + pendingBelow(d, bound)
end

-- records that n keys lie below bound, a bound made in this call (the flush adds what is pending)
local function setBelow(d, bound, n)
  redis.call('HSET', d .. '|#', bound, n - pendingBelow(d, bound))
end

-- delta keys more in the bucket of list d with this bound: the counts above it shift at the flush
local function shiftAbove(d, bound, delta)
  local changes = pending[d]
  if not changes then
    changes = {}
    pending[d] = changes
  end
  changes[bound] = (changes[bound] or 0) + delta
end

-- adds the pending changes to the stored counts: for each list, one pass over the buckets above
-- the lowest bucket changed, with the changes sorted (byte order, as Redis orders bounds)
local function flush()
  for d, changes in pairs(pending) do
    local bounds = {}
    for b, delta in pairs(changes) do
      if delta ~= 0 then
        bounds[#bounds + 1] = b
      end
    end
    if #bounds > 0 then
      table.sort(bounds, function(a, b) return above(b, a) end)
      local i, sum = 1, 0
      for _, b in ipairs(redis.call('ZRANGEBYLEX', d, '(' .. bounds[1], '+')) do
        while i <= #bounds and above(b, bounds[i]) do
          sum = sum + changes[bounds[i]]
          i = i + 1
        end
        if sum ~= 0 then
          redis.call('HINCRBY', d .. '|#', b, sum)
        end
      end
    end
  end
  pending = {}
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

-- the bound of the bucket of list d that holds (or would hold) key
local function boundOf(d, key)
  return redis.call('ZREVRANGEBYLEX', d, '[' .. key, '-', 'LIMIT', 0, 1)[1]
end

local function nextBound(d, bound)
  return redis.call('ZRANGEBYLEX', d, '(' .. bound, '+', 'LIMIT', 0, 1)[1]
end

local function previousBound(d, bound)
  return redis.call('ZREVRANGEBYLEX', d, '(' .. bound, '-', 'LIMIT', 0, 1)[1]
end

-- adds key to list d (buckets of at most cap keys); 1 if it was not there
local function addKey(d, cap, key)
  local bound = boundOf(d, key)
  if not bound then
    bound = ''
    redis.call('ZADD', d, 0, bound)
    setBelow(d, bound, 0)
  end
  local b = bucket(d, bound)
  if redis.call('ZSCORE', b, key) then
    return 0
  end
  local n = redis.call('ZCARD', b)
  if n >= cap then
    -- why split before adding: a sorted set that once grew past zset-max-listpack-entries stays
    -- a skiplist for good, so a bucket must never hold more than the cap, not even for a moment
    if nextBound(d, bound) == nil and above(key, redis.call('ZRANGE', b, -1, -1)[1]) then
      -- a new newest key (the usual write): it starts the next bucket, this one stays full
      setBelow(d, key, below(d, bound) + n)
      bound = key
      redis.call('ZADD', d, 0, bound)
    else
      local half = math.floor(n / 2)
      local upper = redis.call('ZRANGE', b, half, -1)
      redis.call('ZREMRANGEBYRANK', b, half, -1)
      local args = {}
      for j = 1, #upper do
        args[#args + 1] = 0
        args[#args + 1] = upper[j]
      end
      redis.call('ZADD', bucket(d, upper[1]), unpack(args))
      redis.call('ZADD', d, 0, upper[1])
      setBelow(d, upper[1], below(d, bound) + half)
      bound = boundOf(d, key)
    end
    b = bucket(d, bound)
  end
  redis.call('ZADD', b, 0, key)
  shiftAbove(d, bound, 1)
  return 1
end

-- removes key from list d; 1 if it was there
local function removeKey(d, key)
  local bound = boundOf(d, key)
  if not bound then
    return 0
  end
  local b = bucket(d, bound)
  if redis.call('ZREM', b, key) == 0 then
    return 0
  end
  shiftAbove(d, bound, -1)
  if redis.call('EXISTS', b) == 0 then
    redis.call('ZREM', d, bound)
    redis.call('HDEL', d .. '|#', bound)
  end
  return 1
end

-- the oldest key of list d, or nil
local function oldest(d)
  local first = redis.call('ZRANGE', d, 0, 0)[1]
  return first and redis.call('ZRANGE', bucket(d, first), 0, 0)[1]
end

local function newest(d)
  local last = redis.call('ZREVRANGE', d, 0, 0)[1]
  return last and redis.call('ZREVRANGE', bucket(d, last), 0, 0)[1]
end

local DIGITS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz'

-- the message id of a sort key (its last 11 base-64 digits; chatcache.query.MessageOrder), as a
-- decimal string. why the limit: Lua numbers are doubles, exact up to 2^53
local function idOf(key)
  local id = 0
  for i = #key - 10, #key do
    id = id * 64 + (string.find(DIGITS, string.sub(key, i, i), 1, true) - 1)
  end
  if id >= 9007199254740992 then
    error('message id above 2^53 in sort key ' .. key)
  end
  return string.format('%d', id)
end

-- the guarded reads' messages (see 'fetch' above), appended after the keys out[skip + 1 ..]
local function withMessages(out, skip)
  if ARGV[5] ~= 'fetch' then
    return out
  end
  local n = #out
  for i = skip + 1, n do
    out[#out + 1] = redis.call('HMGET', MESSAGE_PREFIX .. idOf(out[i]), H_CHAT, H_USER, H_TEXT, H_CREATED, H_DATA, H_READ)
  end
  return out
end

if op == 'add' then
  local cap = tonumber(ARGV[2])
  local added = 0
  for i = 3, #ARGV do
    added = added + addKey(dir, cap, ARGV[i])
  end
  flush()
  return added
elseif op == 'held' then
  local b = redis.call('GET', KEYS[2])
  if not b then
    return 0
  end
  local cap = tonumber(ARGV[2])
  local added = 0
  for i = 3, #ARGV do
    if not above(b, ARGV[i]) then
      added = added + addKey(dir, cap, ARGV[i])
    end
  end
  flush()
  return added
elseif op == 'trim' then
  if redis.call('EXISTS', KEYS[2]) == 0 then
    return {}
  end
  local excess = countAbove(dir, '') - tonumber(ARGV[2])
  local max = tonumber(ARGV[3])
  local out = {}
  while excess > 0 and #out < max do
    local key = oldest(dir)
    local id = idOf(key)
    local hash = MESSAGE_PREFIX .. id
    local author = redis.call('HGET', hash, H_USER)
    removeKey(dir, key)
    if author then
      removeKey(dir .. ':user:' .. author, key)
    end
    if ARGV[4] ~= '' then
      redis.pcall('FT.DEL', ARGV[4], hash) -- an error: the index never held it
    end
    redis.call('DEL', hash)
    out[#out + 1] = id
    excess = excess - 1
  end
  flush()
  if #out > 0 then
    redis.call('SET', KEYS[2], oldest(dir))
  end
  return out
elseif op == 'remove' then
  local removed = 0
  for i = 2, #ARGV do
    removed = removed + removeKey(dir, ARGV[i])
  end
  flush()
  return removed
elseif op == 'older' then
  local count = tonumber(ARGV[2])
  local from = ARGV[3]
  local out = {}
  if boundary then
    out[1] = boundary
    out[2] = oldest(dir) or ''
    if ARGV[6] == 'position' then
      out[3] = redis.call('GET', KEYS[2])
      out[4] = last_event_id(EV_PREFIX .. ARGV[4])
    end
  end
  local skip = #out
  local bound, upper
  if from == '' then
    bound = redis.call('ZREVRANGE', dir, 0, 0)[1]
    upper = '+'
  else
    bound = boundOf(dir, from)
    upper = '(' .. from
  end
  while bound and #out - skip < count do
    local got = redis.call('ZREVRANGEBYLEX', bucket(dir, bound), upper, '-', 'LIMIT', 0, count - (#out - skip))
    for j = 1, #got do
      out[#out + 1] = got[j]
    end
    upper = '+'
    bound = previousBound(dir, bound)
  end
  return withMessages(out, skip)
elseif op == 'newer' then
  local count = tonumber(ARGV[2])
  local lower = '(' .. ARGV[3]
  local out = {}
  if boundary then
    out[1] = boundary
    out[2] = newest(dir) or ''
    if ARGV[6] == 'position' then
      out[3] = redis.call('GET', KEYS[2])
      out[4] = last_event_id(EV_PREFIX .. ARGV[4])
    end
  end
  local skip = #out
  local bound = boundOf(dir, ARGV[3]) or redis.call('ZRANGE', dir, 0, 0)[1]
  while bound and #out - skip < count do
    local got = redis.call('ZRANGEBYLEX', bucket(dir, bound), lower, '+', 'LIMIT', 0, count - (#out - skip))
    for j = 1, #got do
      out[#out + 1] = got[j]
    end
    bound = nextBound(dir, bound)
  end
  return withMessages(out, skip)
elseif op == 'all' then
  local out = {}
  for _, bound in ipairs(redis.call('ZRANGE', dir, 0, -1)) do
    for _, key in ipairs(redis.call('ZRANGE', bucket(dir, bound), 0, -1)) do
      out[#out + 1] = key
    end
  end
  return out
elseif op == 'size' then
  local n = 0
  for _, bound in ipairs(redis.call('ZRANGE', dir, 0, -1)) do
    n = n + redis.call('ZCARD', bucket(dir, bound))
  end
  return n
elseif op == 'keys' then
  local out = {}
  for _, bound in ipairs(redis.call('ZRANGE', dir, 0, -1)) do
    out[#out + 1] = bucket(dir, bound)
  end
  if redis.call('EXISTS', dir .. '|#') == 1 then
    out[#out + 1] = dir .. '|#'
  end
  return out
elseif op == 'after' then
  return countAbove(dir, ARGV[2])
elseif op == 'unread' then
  local user = ARGV[2]
  if redis.call('HEXISTS', KEYS[3], 'm:' .. user) == 0 then
    return nil
  end
  if redis.call('SISMEMBER', KEYS[5], ARGV[3]) == 1 then
    return {'', 0, 'loading'}
  end
  local marker = redis.call('HGET', KEYS[3], 'r:' .. user) or ''
  local held = redis.call('GET', KEYS[4]) or 'none'
  return {marker, countAbove(dir, marker) - countAbove(KEYS[2], marker), held, redis.call('GET', KEYS[6]) or '0'}
end
return redis.error_reply('order-index: unknown operation ' .. tostring(op))
