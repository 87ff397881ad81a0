-- Ends a chat's rebuild: removes it from the rebuilding set and, only if it was there, appends a
-- reset to its event stream (what was written meanwhile appended no events).
-- KEYS: the chat's event stream, the guard keys; ARGV: max and retention, the chat, the reason.
if redis.call('SREM', KEYS[3], ARGV[3]) == 0 then
  return 0
end
return append_event(KEYS[1], KEYS[2], KEYS[3], ARGV[3], ARGV[1], ARGV[2], {EV_TYPE, EV_RESET, EV_REASON, ARGV[4]})
