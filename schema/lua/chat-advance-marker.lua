-- Moves member ARGV[1]'s read marker in the chat's hash KEYS[1] forwards to ARGV[2] (a sort key),
-- and records the move for MySQL in the read-mark stream KEYS[2]; ARGV[3] is the chat.
-- Returns 1 if moved, 0 if the marker was already there or beyond, -1 for a non-member.
if redis.call('HEXISTS', KEYS[1], 'm:' .. ARGV[1]) == 0 then return -1 end
local cur = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
if cur and not above(ARGV[2], cur) then return 0 end
redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], ARGV[2])
redis.call('XADD', KEYS[2], '*', 'marker', ARGV[3] .. ':' .. ARGV[1] .. ':' .. ARGV[2])
return 1
