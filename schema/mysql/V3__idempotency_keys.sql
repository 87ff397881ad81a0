-- Idempotency-Keys clients sent with posts and edits (README, "Idempotent writes"): the first
-- request with a key claims it (claim, claimed_at), a post records its message in its own
-- transaction (message_id), and the answer is kept (status, response) for repeats, 24 h.
CREATE TABLE idempotency_keys (
    user_id     BIGINT NOT NULL,
    idem_key    VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request is refused
    request     CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    claim       CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    claimed_at  BIGINT NOT NULL,
    message_id  BIGINT NULL,
    status      SMALLINT NULL,
    response    MEDIUMTEXT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key),
    INDEX idempotency_keys_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
