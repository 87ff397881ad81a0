-- Ends a chat's rebuild (or load): sets its boundary, removes it from the rebuilding set and,
-- only if it was there, appends a reset to its event stream (what was written meanwhile appended
-- no events).
-- KEYS: the chat's event stream, the guard keys, the chat's held key, the sorted set of reads, the
-- set of chats being loaded, the followed chats (see append_reset).
-- ARGV: max and retention, the chat, the reason, the sort key of the oldest message loaded when
-- MySQL holds older ones ('' when it was loaded whole), now (epoch ms: a chat just loaded counts
-- as just read, unless a read was recorded already). why the higher of the two: the load set
-- the boundary to '' when it began, and a trim while it loaded may have moved it up since; Redis holds every message of the chat
-- from the oldest loaded up (what was committed after the load began was written by its writer).
-- A chat no longer held (Redis lost its data, or the chat was dropped meanwhile) stays so.
local held = redis.call('GET', KEYS[4])
if held and ARGV[5] ~= '' and (held == '' or above(ARGV[5], held)) then
  redis.call('SET', KEYS[4], ARGV[5])
end
if held then
  redis.call('ZADD', KEYS[5], 'NX', ARGV[6], ARGV[3])
end
redis.call('SREM', KEYS[6], ARGV[3])
if redis.call('SREM', KEYS[3], ARGV[3]) == 0 then
  return 0
end
return append_reset(KEYS[1], KEYS[2], KEYS[3], KEYS[7], ARGV[3], ARGV[1], ARGV[2], ARGV[4])
