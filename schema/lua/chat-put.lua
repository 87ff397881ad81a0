-- Replaces a chat's hash (KEYS[1], chats:<id>; see KeySpace.java) unless Redis holds a newer version (ARGV[1]; the
-- same version is written again, which mends a damaged copy); ARGV[2..] are field, value pairs.
-- Read markers (r:<userId>) are merged, not replaced: each keeps the later of the copy's and
-- Redis's (a marker moved in Redis reaches MySQL later, through the read-mark stream), and only
-- for members. KEYS[2] is the prefix of the members' chat sets (user-chats:<userId>), kept in
-- step: the chat is added to each member's set and removed from each former member's.
-- KEYS[3] is the chat's held key (see order-index.lua). Returns 0 (a newer version is held), 1
-- (written), or 2 (written, and Redis held neither the chat nor its messages before: a new chat).
local cur = redis.call('HGET', KEYS[1], 'version')
if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
local created = redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[3]) == 0
local old = redis.call('HGETALL', KEYS[1])
local chat = string.match(KEYS[1], '[^:]*$') -- chats:<id>, or chats:{g<N>}:<id>
local marks, former = {}, {}
for i = 1, #old, 2 do
  local p = string.sub(old[i], 1, 2)
  if p == 'r:' then marks[string.sub(old[i], 3)] = old[i + 1] end
  if p == 'm:' then former[string.sub(old[i], 3)] = true end
end
redis.call('DEL', KEYS[1])
local members, given = {}, {}
for i = 2, #ARGV, 2 do
  local f, v = ARGV[i], ARGV[i + 1]
  local p = string.sub(f, 1, 2)
  if p == 'm:' then members[string.sub(f, 3)] = true end
  if p == 'r:' then
    given[string.sub(f, 3)] = v
  else
    redis.call('HSET', KEYS[1], f, v)
  end
end
for u, _ in pairs(members) do
  local v = given[u]
  if marks[u] and (not v or above(marks[u], v)) then v = marks[u] end
  if v then redis.call('HSET', KEYS[1], 'r:' .. u, v) end
  redis.call('SADD', KEYS[2] .. u, chat)
end
for u, _ in pairs(former) do
  if not members[u] then redis.call('SREM', KEYS[2] .. u, chat) end
end
if created then return 2 end
return 1
