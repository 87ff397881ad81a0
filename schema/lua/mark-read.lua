-- Marks read those of the messages Redis holds, and records the marks for MySQL, in one step.
-- KEYS: the messages' hashes, the read-mark stream, the guard keys.
-- ARGV[1] '1' to record the marks in the read-mark stream, ARGV[2] its field of ids, ARGV[3..4]
-- max and retention of the event streams, then the messages' ids.
-- Every existing message goes to the read-mark stream (MySQL may lack the mark); only those
-- whose read went from 0 to 1 go to their chat's event stream, one message.read per chat. A mark
-- copied from MySQL (ARGV[1] '0') for a message Redis has no hash of leaves a pending mark for a
-- minute, which the message's own write applies (see message-write.lua).
-- why the event stream's key is built here: the chats are known only from the hashes
-- (standalone Redis, as RediSearch needs anyway).
local n = #KEYS - 3
local marked = {}
local chats = {}
local newly = {}
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local id = ARGV[i + 4]
    if redis.call('HGET', KEYS[i], H_READ) ~= '1' then
      redis.call('HSET', KEYS[i], H_READ, '1')
      local chat = redis.call('HGET', KEYS[i], H_CHAT)
      if chat then
        if not newly[chat] then
          newly[chat] = {}
          chats[#chats + 1] = chat
        end
        table.insert(newly[chat], id)
      end
    end
    marked[#marked + 1] = id
  elseif ARGV[1] == '0' then
    redis.call('SET', PENDING_READ .. ARGV[i + 4], '1', 'EX', PENDING_READ_SECONDS)
  end
end
if ARGV[1] == '1' and #marked > 0 then
  redis.call('XADD', KEYS[n + 1], '*', ARGV[2], table.concat(marked, ','))
end
for _, chat in ipairs(chats) do
  append_event(EV_PREFIX .. chat, KEYS[n + 2], KEYS[n + 3], chat, ARGV[3], ARGV[4],
      {EV_TYPE, EV_READ, EV_IDS, table.concat(newly[chat], ',')})
end
return #marked
