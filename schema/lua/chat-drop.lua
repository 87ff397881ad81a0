-- Redis stops holding a chat's messages: its held key goes (writes to the chat skip Redis, and
-- its readers go to MySQL, from this call on), and so do its marks of being rebuilt and of when it
-- was last read. The messages themselves are deleted afterwards, in batches, by the caller.
-- KEYS: the chat's held key, the set of chats being rebuilt, the sorted set of reads by chat.
-- ARGV: the chat. Returns 1 if Redis held the chat.
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return redis.call('DEL', KEYS[1])
