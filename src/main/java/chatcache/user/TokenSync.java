package chatcache.user;

import java.util.List;

/**
 * Keeps the token replica in step with MySQL's users: a full copy when the replica is missing
 * (a cold or flushed Redis), then, each round, the users added since. Users are normally copied
 * by whoever adds them; this catches those added while Redis was unreachable.
 */
public final class TokenSync {
    private static final int BATCH = 1_000;
    /**
     * why re-read some already copied: ids are handed out before commit, so a user with a lower
     * id may commit after one with a higher id was copied; re-copying is idempotent.
     */
    private static final long OVERLAP = 100;

    private final UserDirectory users;
    private final TokenReplica replica;

    public TokenSync(UserDirectory users, TokenReplica replica) {
        this.users = users;
        this.replica = replica;
    }

    /** One round; returns how many users it copied. */
    public int step() {
        Long upTo = replica.copiedUpTo();
        if (upTo == null) {
            // why the mark read first: a token revoked while the copy runs may be copied, and is
            // then removed with the revocations after this mark (RevocationWatch)
            long revokedBefore = users.lastRevocation();
            String ticket = replica.startFullCopy();
            Copied copied = copyAfter(0);
            if (replica.finishFullCopy(ticket, copied.lastId)) {
                replica.revoke(List.of(), revokedBefore); // RevocationWatch applies those after it
            }
            return copied.count;
        }
        Copied copied = copyAfter(Math.max(0, upTo - OVERLAP));
        replica.advance(copied.lastId);
        return copied.count;
    }

    private record Copied(long lastId, int count) {
    }

    private Copied copyAfter(long after) {
        int count = 0;
        List<UserToken> batch;
        while (!(batch = users.scan(after, BATCH)).isEmpty()) {
            replica.putAll(batch);
            after = batch.get(batch.size() - 1).user().id();
            count += batch.size();
        }
        return new Copied(after, count);
    }
}
