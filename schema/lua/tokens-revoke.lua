-- HDELs the revoked tokens' fields (ARGV[2..]) from the token hash KEYS[1] and moves the
-- revocation mark KEYS[2] forwards to ARGV[1].
for i = 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
local cur = redis.call('GET', KEYS[2])
if not cur or tonumber(ARGV[1]) > tonumber(cur) then redis.call('SET', KEYS[2], ARGV[1]) end
return 1
