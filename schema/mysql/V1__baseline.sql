-- chatcache's MySQL schema (MySQL 8.4 and MariaDB 10.11) as a new database gets it: Flyway applies
-- this once, then every later V<n>__*.sql in order (README, "Schema migrations"). Never edit a
-- migration that has been released: Flyway refuses to start on a changed checksum; add a new one.
--
-- A database made before Flyway (by the idempotent schema/mysql.sql applied at every start) is not
-- given this file: it is baselined at version 1, and migration 2 (chatcache.mysql.PreFlywayCatchUp)
-- brings it to exactly these tables. So: CREATE TABLE statements only, and columns and indexes in
-- the order those databases have them (a column or index added to an existing table comes last).
-- Statements end with a semicolon at the end of a line.

CREATE TABLE users (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    name       VARCHAR(100) NOT NULL,
    role       VARCHAR(8)   NOT NULL,
    -- SHA-256 of the bearer token, hex: the token itself is never stored.
    token_hash CHAR(64)     NOT NULL,
    -- When the user's token was revoked (epoch milliseconds, strictly increasing over all users, so
    -- that the newest stamp tells every server that something was revoked); NULL while it is valid.
    revoked_at BIGINT       NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_users_token_hash (token_hash),
    KEY ix_users_revoked (revoked_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE messages (
    id          BIGINT        NOT NULL AUTO_INCREMENT,
    chat_id     BIGINT        NOT NULL,
    user_id     BIGINT        NOT NULL,
    message     VARCHAR(4000) NOT NULL,
    -- epoch milliseconds, UTC: an integer keeps both stores and every JDBC time zone in agreement
    created_at  BIGINT        NOT NULL,
    -- the JSON object as text, exactly as cached in Redis (a JSON column would be re-serialised
    -- by MySQL 8 and then differ from the cached copy)
    data        TEXT          NULL,
    is_read     BOOLEAN       NOT NULL DEFAULT FALSE,
    PRIMARY KEY (id),
    -- why: all end with the order columns, so "newest first" is a backward range scan
    KEY ix_messages_chat_order (chat_id, created_at, id),
    KEY ix_messages_chat_user_order (chat_id, user_id, created_at, id),
    -- why: "read": false/true walks the chat's messages of one state in order, not the whole chat
    KEY ix_messages_chat_read_order (chat_id, is_read, created_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The words of each message (chatcache.query.Words), written in the transaction that writes or
-- edits its text: the "text" filter. why this key: one word of one chat is a range in time order,
-- so a page of a word's matches reads about a page of rows, and a further word is one key lookup.
CREATE TABLE message_words (
    chat_id     BIGINT       NOT NULL,
    word        VARCHAR(64)  NOT NULL,
    created_at  BIGINT       NOT NULL,
    message_id  BIGINT       NOT NULL,
    PRIMARY KEY (chat_id, word, created_at, message_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Chats: who may read and post (README, "Chats and members").
-- why version: every change of a chat or its members increments it in the same transaction, and
-- Redis keeps a copy only if it is newer than the one it holds, so racing copies converge.
CREATE TABLE chats (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    title       VARCHAR(200) NOT NULL,
    visibility  VARCHAR(8)   NOT NULL,
    owner_id    BIGINT       NULL,
    created_at  BIGINT       NOT NULL,
    version     BIGINT       NOT NULL DEFAULT 1,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE chat_members (
    chat_id     BIGINT     NOT NULL,
    user_id     BIGINT     NOT NULL,
    role        VARCHAR(8) NOT NULL,
    -- The member's read marker: the newest message they have seen, as its place in the order
    -- (created_at, then id); NULL before the first read. It only moves forwards.
    read_at     BIGINT     NULL,
    read_id     BIGINT     NULL,
    PRIMARY KEY (chat_id, user_id),
    -- why: "the chats I am a member of" (GET /me/unread) is a range of this key
    KEY ix_chat_members_user (user_id, chat_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Changes whose Redis copy may lag MySQL: a row is written in the same transaction as the change
-- and deleted once Redis holds it; the relay re-sends rows that stay (Redis down, or the app died
-- after the commit). A row names a message (message_id > 0, chat_id NULL: a new message, or read
-- marks made on the MySQL path) or a chat whose visibility and members Redis must receive
-- (message_id 0, chat_id set).
CREATE TABLE cache_outbox (
    id          BIGINT NOT NULL AUTO_INCREMENT,
    message_id  BIGINT NOT NULL,
    -- epoch milliseconds when the change was committed
    created_at  BIGINT NOT NULL,
    chat_id     BIGINT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
