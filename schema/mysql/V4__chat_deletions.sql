-- Messages deleted per chat, counted in each delete's own transaction (README, "What Redis holds":
-- /me/unread below a window). why: a member's unread messages below the window Redis holds are
-- counted by MySQL once and then kept in memory, moved by what trims add and markers pass; a
-- delete below the window is the change that lowers that count without moving either, and this
-- number tells a kept count that one happened.
CREATE TABLE chat_deletions (
    chat_id  BIGINT NOT NULL,
    deleted  BIGINT NOT NULL,
    PRIMARY KEY (chat_id)
) ENGINE = InnoDB;
