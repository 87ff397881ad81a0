-- append_event(stream, complete, rebuilding, chat, max, retention, fields): appends an entry
-- (fields: a flat name/value list) to a chat's event stream unless Redis does not hold the chat,
-- then trims the stream by count (XADD MAXLEN ~) and by age (XTRIM MINID ~, from the server's
-- TIME, the clock the entry ids come from). Put in front of every script that changes messages
-- (see EventAppend.java); the EV_* names are defined before it.
-- move_stamp(key): the number at key moves to the server's time in microseconds, or one above
-- what it was if that is more. why the time: a number Redis lost, or took back (a replica
-- promoted without the primary's last writes, a restart from an older AOF), must never come back
-- to a value it had; the next move after a loss jumps past every value given before it (one move
-- per microsecond is more than one chat sees; a failover takes seconds, more than the hosts'
-- clocks may differ). Exact in Lua's doubles until the year 2255.
local function move_stamp(key)
  local now = redis.call('TIME')
  local stamp = tonumber(now[1]) * 1000000 + tonumber(now[2])
  local was = tonumber(redis.call('GET', key) or '0')
  if was >= stamp then
    stamp = was + 1
  end
  redis.call('SET', key, string.format('%.0f', stamp))
end

-- bump_version(chat): the chat's version moves on (HotPages keeps pages by it). Called by
-- append_event whether or not it appends: a change Redis makes while the chat is being rebuilt
-- must also move it. A stamp (move_stamp), so that a page kept from before a loss is never taken
-- for a page of the state after it.
local function bump_version(chat)
  move_stamp(VERSION_PREFIX .. chat)
end

local function append_event(stream, complete, rebuilding, chat, max, retention, fields)
  bump_version(chat)
  if redis.call('EXISTS', complete) == 0 or redis.call('SISMEMBER', rebuilding, chat) == 1 then
    return 0
  end
  redis.call('XADD', stream, 'MAXLEN', '~', max, '*', unpack(fields))
  local now = redis.call('TIME')
  local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  redis.call('XTRIM', stream, 'MINID', '~', string.format('%.0f', ms - tonumber(retention)))
  return 1
end

-- append_reset(stream, complete, rebuilding, followed, chat, max, retention, reason): appends a
-- reset as append_event does; when that leaves the reset alone in the stream (it held nothing, or
-- only entries the retention trimmed) and no instance has a client following the chat (followed:
-- a sorted set of chat ids scored by when their following lapses, in the server's TIME ms), the
-- stream keeps only the reset's id: an empty stream whose last id and count of entries added
-- still tell a joining client that it missed changes (it gets a reset), at about 400 bytes
-- instead of a first node of 4 KiB (Redis 7.0 allocates a node at stream-node-max-bytes whatever
-- it holds). why: every eviction and load appends a reset, and such streams of chats nobody
-- follows took a third of a budget (BENCHMARKS run O).
local function append_reset(stream, complete, rebuilding, followed, chat, max, retention, reason)
  local appended = append_event(stream, complete, rebuilding, chat, max, retention, {EV_TYPE, EV_RESET, EV_REASON, reason})
  if appended == 1 and redis.call('XLEN', stream) == 1 then
    local now = redis.call('TIME')
    local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
    if tonumber(redis.call('ZSCORE', followed, chat) or '0') < ms then
      redis.call('XTRIM', stream, 'MAXLEN', 0)
    end
  end
  return appended
end
