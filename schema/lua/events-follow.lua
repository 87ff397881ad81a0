-- Records that an instance has clients following these chats, until the server's TIME plus
-- ARGV[1] ms (never shortening another instance's), and forgets chats nobody has renewed.
-- Read by append_reset: a reset appended to the stream of a chat nobody follows keeps only its id.
-- KEYS[1] = the followed chats (sorted set, scored by when following lapses, in ms);
-- ARGV[1] = how long, ARGV[2..] = chat ids. Returns how many chats were recorded.
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', ms))
local lapses = string.format('%.0f', ms + tonumber(ARGV[1]))
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'GT', lapses, ARGV[i])
end
return #ARGV - 1
