-- Redis stops holding a chat's messages: its held key goes (writes to the chat skip Redis, and
-- its readers go to MySQL, from this call on), and so do its marks of being rebuilt and of when it
-- was last read; if it was held, a reset is appended to its event stream: its posts append no
-- events until a reader loads it again (whose load appends a reset too), so a subscriber must
-- reload. The messages themselves are deleted afterwards, in batches, by the caller.
-- KEYS: the chat's held key, the guard keys (complete, rebuilding), the sorted set of reads by
-- chat, the chat's event stream, the set of chats being loaded, the followed chats (see
-- append_reset). ARGV: max and retention of the stream, the chat, the reason.
-- Returns 1 if Redis held the chat.
redis.call('SREM', KEYS[3], ARGV[3])
redis.call('SREM', KEYS[6], ARGV[3])
redis.call('ZREM', KEYS[4], ARGV[3])
if redis.call('DEL', KEYS[1]) == 0 then
  return 0
end
append_reset(KEYS[5], KEYS[2], KEYS[3], KEYS[7], ARGV[3], ARGV[1], ARGV[2], ARGV[4])
return 1
