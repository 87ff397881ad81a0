-- last_event_id(stream): the id of a chat's newest event, or of its last reset when the stream
-- keeps only that id (append_reset), or '' when the chat has no stream. why XREVRANGE first: the
-- newest entry's id is the last generated one (entries are only ever appended with '*' and
-- trimmed from the oldest end), and XINFO STREAM builds the first and last entries and more; it
-- is asked only for a stream left empty.
local function last_event_id(stream)
  local newest = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  if #newest > 0 then
    return newest[1][1]
  end
  if redis.call('EXISTS', stream) == 0 then
    return ''
  end
  local info = redis.call('XINFO', 'STREAM', stream)
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      return info[i + 1]
    end
  end
  return ''
end
