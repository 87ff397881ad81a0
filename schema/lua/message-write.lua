-- Writes a message's hash and appends its event: created if there was no message, edited if its
-- text or data differ, read if only its read flag went from 0 to 1, nothing if the write changed
-- nothing (the request's copy and the relay's copy of one post append one event).
-- KEYS: the hash, the chat's event stream, the guard keys (complete, rebuilding), the chat's held
-- key (held:C, its boundary: see order-index.lua), the chat's below-epoch (moved by a write skipped
-- below the boundary: unread counts kept for that part are counted again).
-- ARGV: max and retention of the stream, the id, '1' to mark read (otherwise read is kept, or
-- starts at 0: a copy never unmarks), the message's sort key, then the hash's fields and values.
-- Nothing is written (0) unless Redis holds the chat and the message is at or above its
-- boundary: older messages are MySQL's alone (an edit there never brings one back).
-- The entry carries the message as the hash holds it after the write, not a pointer: the hash
-- may change or go before a subscriber reads the entry.
local boundary = redis.call('GET', KEYS[5])
if not boundary then
  return 0
end
if above(boundary, ARGV[5]) then
  -- why a stamp: an epoch Redis lost or took back must not come back to a value a count was
  -- kept at (as chat versions, append-event.lua)
  move_stamp(KEYS[6])
  return 0
end
local before = redis.call('HMGET', KEYS[1], H_TEXT, H_DATA, H_READ)
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
if ARGV[4] == '1' or (not before[1] and redis.call('EXISTS', PENDING_READ .. ARGV[3]) == 1) then
  redis.call('HSET', KEYS[1], H_READ, '1') -- read, or marked on MySQL's route before this copy came
else
  redis.call('HSETNX', KEYS[1], H_READ, '0')
end
local after = redis.call('HMGET', KEYS[1], H_CHAT, H_USER, H_TEXT, H_CREATED, H_DATA, H_READ)
local fields
if not before[1] or before[1] ~= after[3] or before[2] ~= after[5] then
  fields = {EV_TYPE, before[1] and EV_EDITED or EV_CREATED, EV_ID, ARGV[3], EV_CHAT_ID, after[1],
            EV_USER_ID, after[2], EV_MESSAGE, after[3], EV_CREATED_AT, after[4]}
  if after[5] then
    fields[#fields + 1] = EV_DATA
    fields[#fields + 1] = after[5]
  end
  fields[#fields + 1] = EV_READ_FLAG
  fields[#fields + 1] = after[6]
elseif before[3] ~= '1' and after[6] == '1' then
  fields = {EV_TYPE, EV_READ, EV_IDS, ARGV[3]}
else
  return 0
end
return append_event(KEYS[2], KEYS[3], KEYS[4], after[1], ARGV[1], ARGV[2], fields)
