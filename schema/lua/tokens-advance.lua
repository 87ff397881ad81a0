-- Moves the token copy's mark KEYS[1] forwards to ARGV[1], only while a complete copy exists.
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if tonumber(ARGV[1]) > tonumber(cur) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
