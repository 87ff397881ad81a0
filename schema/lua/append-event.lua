-- append_event(stream, complete, rebuilding, chat, max, retention, fields): appends an entry
-- (fields: a flat name/value list) to a chat's event stream unless Redis does not hold the chat,
-- then trims the stream by count (XADD MAXLEN ~) and by age (XTRIM MINID ~, from the server's
-- TIME, the clock the entry ids come from). Put in front of every script that changes messages
-- (see EventAppend.java); the EV_* names are defined before it.
local function append_event(stream, complete, rebuilding, chat, max, retention, fields)
  if redis.call('EXISTS', complete) == 0 or redis.call('SISMEMBER', rebuilding, chat) == 1 then
    return 0
  end
  redis.call('XADD', stream, 'MAXLEN', '~', max, '*', unpack(fields))
  local now = redis.call('TIME')
  local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  redis.call('XTRIM', stream, 'MINID', '~', string.format('%.0f', ms - tonumber(retention)))
  return 1
end
