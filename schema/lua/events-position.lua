-- Where a client that reads a page now joins a chat's events, in one call: the cache's marker
-- ('' when Redis does not hold the whole cache) and the id of the stream's newest event, or of
-- its last reset when it keeps only that id ('' when the chat has no stream: last_event_id). why
-- the last id rather than the newest entry: a stream of a chat nobody follows may keep no entry
-- but its reset's id (append_reset); a client joining from it goes on without a needless reset.
-- KEYS[1] = the complete marker, KEYS[2] = the chat's event stream.
local complete = redis.call('GET', KEYS[1])
if not complete then
  return {'', ''}
end
return {complete, last_event_id(KEYS[2])}
