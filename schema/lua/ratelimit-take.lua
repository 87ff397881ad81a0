-- GCRA: KEYS[1] the caller's key (the time at which its budget is whole again); ARGV[1]
-- milliseconds per request (window / limit, may be a fraction); ARGV[2] the window in
-- milliseconds; ARGV[3] how many requests to take at most. Returns how many were taken
-- (1..ARGV[3]), or minus the milliseconds to wait when not even one fits (a refused request
-- costs nothing).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local whole = tonumber(redis.call('GET', KEYS[1]) or 0)
if whole < now then whole = now end
local fit = math.floor((now + window - whole) / interval + 1e-9)
if fit < 1 then return -math.ceil(whole + interval - window - now) end
local taken = math.min(fit, tonumber(ARGV[3]))
whole = whole + taken * interval
redis.call('SET', KEYS[1], string.format('%.3f', whole), 'PX', math.ceil(whole - now))
return taken
