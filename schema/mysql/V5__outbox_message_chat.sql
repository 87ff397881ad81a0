-- The chat of a message's outbox row (issue #26): Redis keeps each chat's keys together (a group
-- of chats in one Redis Cluster slot, docs/design-cluster.md), and the relay must find the keys of
-- a message MySQL no longer has (a delete) by its chat. why a column of its own and not chat_id:
-- chat_id marks a chat's row, and an instance of the version before this one, still relaying
-- during a rolling update, would take a message's row that named its chat for a chat's row.
-- Rows written before this version leave it NULL (the relay then looks in every group).
ALTER TABLE cache_outbox ADD COLUMN message_chat_id BIGINT NULL;
