package chatcache.mysql;

import chatcache.message.IdempotencyClaim;
import chatcache.message.IdempotencyKeys;
import chatcache.message.MessageStore.Draft;
import chatcache.message.Stored;

import org.hibernate.SessionFactory;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static chatcache.mysql.StoreFailure.unavailableIfFails;

/** {@link IdempotencyKeys} in the table {@code idempotency_keys}, shared by every instance. */
public final class MySqlIdempotencyKeys implements IdempotencyKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SessionFactory sessions;

    public MySqlIdempotencyKeys(SessionFactory sessions) {
        this.sessions = sessions;
    }

    @Override
    public Outcome claim(long userId, String key, String request, long now) {
        String token = HexFormat.of().formatHex(randomBytes());
        IdempotencyClaim claim = new IdempotencyClaim(userId, key, token);
        // why two transactions: a failed INSERT keeps a shared lock on the row it collided with;
        // repeats racing each other would then deadlock upgrading it in the SELECT ... FOR UPDATE
        if (unavailableIfFails("MySQL could not claim the Idempotency-Key", () -> inTransaction(c -> insert(c, claim, request, now)))) {
            return new Claimed(claim);
        }
        return unavailableIfFails("MySQL could not check the Idempotency-Key", () -> inTransaction(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT request, message_id, status, response, claimed_at, created_at"
                    + " FROM idempotency_keys WHERE user_id = ? AND idem_key = ? FOR UPDATE")) {
                select.setLong(1, userId);
                select.setString(2, key);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) { // expired and deleted between the INSERT and here
                        return insert(c, claim, request, now) ? new Claimed(claim) : new InProgress();
                    }
                    if (row.getLong("created_at") < now - KEEP_MILLIS) {
                        // forgotten: the key is new again
                        delete(c, userId, key);
                        insert(c, claim, request, now);
                        return new Claimed(claim);
                    }
                    if (!row.getString("request").equals(request)) {
                        return new OtherRequest();
                    }
                    String response = row.getString("response");
                    if (response != null) {
                        return new Answered(row.getInt("status"), response);
                    }
                    long messageId = row.getLong("message_id");
                    if (!row.wasNull()) {
                        return new Posted(messageId);
                    }
                    if (row.getLong("claimed_at") >= now - ABANDONED_MILLIS) {
                        return new InProgress();
                    }
                }
            }
            try (PreparedStatement takeOver = c.prepareStatement(
                    "UPDATE idempotency_keys SET claim = ?, claimed_at = ? WHERE user_id = ? AND idem_key = ?")) {
                takeOver.setString(1, token);
                takeOver.setLong(2, now);
                takeOver.setLong(3, userId);
                takeOver.setString(4, key);
                takeOver.executeUpdate();
            }
            return new Claimed(claim);
        }));
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static boolean insert(Connection c, IdempotencyClaim claim, String request, long now) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO idempotency_keys"
                + " (user_id, idem_key, request, claim, claimed_at, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, claim.userId());
            insert.setString(2, claim.key());
            insert.setString(3, request);
            insert.setString(4, claim.token());
            insert.setLong(5, now);
            insert.setLong(6, now);
            insert.executeUpdate();
            return true;
        } catch (SQLIntegrityConstraintViolationException duplicate) {
            return false;
        }
    }

    private static void delete(Connection c, long userId, String key) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ?")) {
            delete.setLong(1, userId);
            delete.setString(2, key);
            delete.executeUpdate();
        }
    }

    @Override
    public void answer(IdempotencyClaim claim, int status, String body) {
        unavailableIfFails("MySQL could not record the answer of the Idempotency-Key", () -> inTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE idempotency_keys SET status = ?, response = ?"
                    + " WHERE user_id = ? AND idem_key = ? AND claim = ?")) {
                update.setInt(1, status);
                update.setString(2, body);
                update.setLong(3, claim.userId());
                update.setString(4, claim.key());
                update.setString(5, claim.token());
                return update.executeUpdate();
            }
        }));
    }

    @Override
    public void release(IdempotencyClaim claim) {
        unavailableIfFails("MySQL could not release the Idempotency-Key", () -> inTransaction(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM idempotency_keys"
                    + " WHERE user_id = ? AND idem_key = ? AND claim = ? AND message_id IS NULL AND response IS NULL")) {
                delete.setLong(1, claim.userId());
                delete.setString(2, claim.key());
                delete.setString(3, claim.token());
                return delete.executeUpdate();
            }
        }));
    }

    @Override
    public int expire(long now, int max) {
        return unavailableIfFails("MySQL could not expire Idempotency-Keys", () -> inTransaction(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM idempotency_keys WHERE created_at < ? LIMIT ?")) {
                delete.setLong(1, now - KEEP_MILLIS);
                delete.setInt(2, max);
                return delete.executeUpdate();
            }
        }));
    }

    /**
     * Of these drafts, those without a claim or whose claim is still theirs and unused, with the
     * claims' rows locked until the posts' transaction ends (a takeover waits for it).
     */
    static List<Draft> stillClaimed(Connection c, List<Draft> drafts) throws SQLException {
        List<Draft> accepted = new ArrayList<>(drafts.size());
        try (PreparedStatement select = c.prepareStatement("SELECT claim, message_id FROM idempotency_keys"
                + " WHERE user_id = ? AND idem_key = ? FOR UPDATE")) {
            for (Draft d : drafts) {
                if (d.claim() == null) {
                    accepted.add(d);
                    continue;
                }
                select.setLong(1, d.claim().userId());
                select.setString(2, d.claim().key());
                try (ResultSet row = select.executeQuery()) {
                    if (row.next() && d.claim().token().equals(row.getString(1))) {
                        row.getLong(2);
                        if (row.wasNull()) {
                            accepted.add(d);
                        }
                    }
                }
            }
        }
        return accepted;
    }

    /** Records, in the posts' transaction, which message each claimed key stands for. */
    static void markPosted(Connection c, Map<Draft, Stored> posted) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE idempotency_keys SET message_id = ?"
                + " WHERE user_id = ? AND idem_key = ?")) {
            boolean any = false;
            for (Map.Entry<Draft, Stored> e : posted.entrySet()) {
                if (e.getKey().claim() != null) {
                    update.setLong(1, e.getValue().message().id());
                    update.setLong(2, e.getKey().claim().userId());
                    update.setString(3, e.getKey().claim().key());
                    update.addBatch();
                    any = true;
                }
            }
            if (any) {
                update.executeBatch();
            }
        }
    }

    /** One transaction on one connection; why JDBC: a few point statements, no entities. */
    private <T> T inTransaction(org.hibernate.jdbc.ReturningWork<T> work) {
        return sessions.fromTransaction(session -> session.doReturningWork(work));
    }
}
