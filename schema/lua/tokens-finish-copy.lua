-- Claims that the token copy is complete (SET KEYS[2] ARGV[2], the highest user id copied) only
-- if the full copy's ticket KEYS[1] still holds ARGV[1] (no flush since the copy began).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[1])
return 1
