-- Deletes a message's hash and appends message.deleted, only if the hash was there (a repeated
-- removal finds nothing and appends nothing).
-- KEYS: the hash, the chat's event stream, the guard keys; ARGV: max and retention, the id, the chat.
if redis.call('DEL', KEYS[1]) == 0 then
  return 0
end
return append_event(KEYS[2], KEYS[3], KEYS[4], ARGV[4], ARGV[1], ARGV[2], {EV_TYPE, EV_DELETED, EV_ID, ARGV[3]})
