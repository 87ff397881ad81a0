-- Gives unspent credit back: KEYS[1] the caller's key; ARGV[1] milliseconds per request; ARGV[2]
-- how many requests to give back.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local whole = tonumber(redis.call('GET', KEYS[1]) or 0) - tonumber(ARGV[2]) * tonumber(ARGV[1])
if whole <= now then return redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[1], string.format('%.3f', whole), 'PX', math.ceil(whole - now))
return 1
