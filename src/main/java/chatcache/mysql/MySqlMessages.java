package chatcache.mysql;

import chatcache.core.Message;
import chatcache.message.Explain;
import chatcache.message.MessageBackend;
import chatcache.message.MessageStore;
import chatcache.message.NewMessage;
import chatcache.message.ReadMarkReplica;
import chatcache.message.Stored;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaUpdate;
import jakarta.persistence.criteria.Root;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.query.NativeQuery;
import org.hibernate.query.SelectionQuery;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import static chatcache.mysql.StoreFailure.unavailableIfFails;

/** Messages in MySQL through Hibernate: the source of truth, and the API role's read path. */
public final class MySqlMessages implements MessageStore, MessageBackend, ReadMarkReplica {
    /** why: keeps each UPDATE ... IN (...) statement a reasonable size. */
    private static final int MARK_CHUNK = 1000;

    private final SessionFactory sessions;

    private final Clock clock;
    /** Whether a multi-row INSERT's generated ids are consecutive (see {@link AutoIncrementIds}). */
    private final boolean multiRowIds;

    public MySqlMessages(SessionFactory sessions, Clock clock) {
        this.sessions = sessions;
        this.clock = clock;
        this.multiRowIds = sessions.fromSession(session -> session.doReturningWork(AutoIncrementIds::consecutiveInMultiRowInserts));
    }

    @Override
    public String name() {
        return "mysql";
    }

    @Override
    public List<Optional<Stored>> insertAll(List<Draft> drafts) {
        if (drafts.isEmpty()) {
            return List.of();
        }
        return unavailableIfFails("MySQL could not store " + drafts.size() + " messages", () -> sessions.fromTransaction(session -> {
            // a repeat that took over a key this post claimed is answered instead: the post must not commit
            List<Draft> accepted = session.doReturningWork(connection -> MySqlIdempotencyKeys.stillClaimed(connection, drafts));
            if (accepted.isEmpty()) {
                return drafts.stream().map(d -> Optional.<Stored>empty()).toList();
            }
            List<Long> ids = session.doReturningWork(connection -> AutoIncrementIds.insert(connection, multiRowIds,
                    "INSERT INTO messages (chat_id, user_id, message, created_at, data, is_read) VALUES (?, ?, ?, ?, ?, FALSE)",
                    accepted, (insert, d) -> {
                        insert.setLong(1, d.message().chatId());
                        insert.setLong(2, d.message().userId());
                        insert.setString(3, d.message().text());
                        insert.setLong(4, d.createdAt());
                        insert.setString(5, d.message().data());
                    }));
            long now = accepted.stream().mapToLong(Draft::createdAt).max().orElseThrow();
            List<Change> changes = new ArrayList<>(ids.size());
            for (int i = 0; i < accepted.size(); i++) {
                changes.add(new Change(ids.get(i), accepted.get(i).message().chatId()));
            }
            List<Long> outboxIds = addToOutbox(session, changes, now);
            java.util.Map<Draft, Stored> byDraft = new java.util.IdentityHashMap<>();
            for (int i = 0; i < accepted.size(); i++) {
                Draft d = accepted.get(i);
                NewMessage m = d.message();
                byDraft.put(d, new Stored(new Message(ids.get(i), m.chatId(), m.userId(), m.text(), d.createdAt(), m.data(), false),
                        outboxIds.get(i)));
            }
            session.doWork(connection -> {
                MessageWords.insert(connection, byDraft.values().stream().map(Stored::message).toList());
                MySqlIdempotencyKeys.markPosted(connection, byDraft);
            });
            return drafts.stream().map(d -> Optional.ofNullable(byDraft.get(d))).toList();
        }));
    }

    @Override
    public Optional<Stored> updateText(long messageId, String text, long now) {
        return unavailableIfFails("MySQL could not edit the message", () -> sessions.fromTransaction(session -> {
            MessageEntity entity = lockedRow(session, messageId);
            if (entity == null) {
                return Optional.<Stored>empty();
            }
            Message before = entity.toMessage();
            entity.setText(text);
            session.flush();
            session.doWork(connection -> MessageWords.replace(connection, before, entity.toMessage()));
            long outboxId = addToOutbox(session, List.of(new Change(messageId, before.chatId())), now).get(0);
            return Optional.of(new Stored(entity.toMessage(), outboxId));
        }));
    }

    @Override
    public Optional<Long> delete(long messageId, long now) {
        return unavailableIfFails("MySQL could not delete the message", () -> sessions.fromTransaction(session -> {
            MessageEntity entity = lockedRow(session, messageId);
            if (entity == null) {
                return Optional.<Long>empty();
            }
            Message gone = entity.toMessage();
            session.remove(entity);
            session.flush();
            session.doWork(connection -> {
                MessageWords.delete(connection, gone);
                countDeletion(connection, gone.chatId());
            });
            return Optional.of(addToOutbox(session, List.of(new Change(messageId, gone.chatId())), now).get(0));
        }));
    }

    /** One more message deleted in the chat, in the delete's transaction (see {@link MySqlChats#deletions}). */
    private static void countDeletion(java.sql.Connection connection, long chatId) throws java.sql.SQLException {
        try (java.sql.PreparedStatement count = connection.prepareStatement(
                "INSERT INTO chat_deletions (chat_id, deleted) VALUES (?, 1) ON DUPLICATE KEY UPDATE deleted = deleted + 1")) {
            count.setLong(1, chatId);
            count.executeUpdate();
        }
    }

    /** The row, locked until the transaction ends, so that an edit and a delete of it commit in turn. */
    private static MessageEntity lockedRow(Session session, long messageId) {
        return session.find(MessageEntity.class, messageId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
    }

    /** A change of a message, for its outbox row. */
    private record Change(long messageId, long chatId) {
    }

    /**
     * Outbox rows for these changes, in the caller's transaction; returns their ids in order. why
     * the chat: Redis keeps a chat's keys together (its group, docs/design-cluster.md), and a
     * delete's copy must find the keys of a message MySQL no longer has.
     */
    private List<Long> addToOutbox(Session session, List<Change> changes, long now) {
        return session.doReturningWork(connection -> AutoIncrementIds.insert(connection, multiRowIds,
                "INSERT INTO cache_outbox (message_id, message_chat_id, created_at) VALUES (?, ?, ?)", changes, (insert, change) -> {
                    insert.setLong(1, change.messageId());
                    insert.setLong(2, change.chatId());
                    insert.setLong(3, now);
                }));
    }

    @Override
    public int relayOutbox(long committedUpTo, int max, java.util.function.Consumer<List<OutboxEntry>> copy) {
        return unavailableIfFails("MySQL could not relay the outbox", () -> sessions.fromSession(session -> session.doReturningWork(connection -> {
            // why READ COMMITTED: a locking read under REPEATABLE READ also locks the gap after the
            // last row, which would hold every post's outbox INSERT until this batch is copied
            int isolation = connection.getTransactionIsolation();
            connection.setTransactionIsolation(java.sql.Connection.TRANSACTION_READ_COMMITTED);
            connection.setAutoCommit(false);
            try {
                List<OutboxEntry> entries = new ArrayList<>();
                // why SKIP LOCKED: instances relaying at once take disjoint batches instead of
                // copying the same rows N times or queueing behind each other
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT id, message_id, COALESCE(chat_id, 0), COALESCE(message_chat_id, 0) FROM cache_outbox WHERE created_at <= ?"
                                + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
                    select.setLong(1, committedUpTo);
                    select.setInt(2, max);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            long messageId = rows.getLong(2);
                            // a chat's row names its chat in chat_id, a message's in message_chat_id (V5)
                            entries.add(new OutboxEntry(rows.getLong(1), messageId, rows.getLong(messageId == 0 ? 3 : 4)));
                        }
                    }
                }
                if (!entries.isEmpty()) {
                    copy.accept(entries);
                    deleteOutbox(connection, entries.stream().map(OutboxEntry::id).toList());
                }
                connection.commit();
                return entries.size();
            } catch (RuntimeException | java.sql.SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
                connection.setTransactionIsolation(isolation);
            }
        })));
    }

    @Override
    public void clearOutbox(Collection<Long> outboxIds) {
        if (outboxIds.isEmpty()) {
            return;
        }
        List<Long> all = new ArrayList<>(outboxIds);
        unavailableIfFails("MySQL could not clear the outbox", () -> sessions.fromTransaction(session -> {
            session.doWork(connection -> deleteOutbox(connection, all));
            return null;
        }));
    }

    /**
     * why one point DELETE per row (sent as one batch): with an IN list over a small table the
     * optimizer scans it, and a scanning DELETE waits for rows another instance's relay holds
     * while that relay waits for ours: a deadlock (seen in OutboxRelayIT).
     */
    private static void deleteOutbox(java.sql.Connection connection, List<Long> ids) throws java.sql.SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM cache_outbox WHERE id = ?")) {
            for (long id : ids) {
                delete.setLong(1, id);
                delete.addBatch();
            }
            delete.executeBatch();
        }
    }

    @Override
    public List<Message> scan(Optional<Long> chatId, long afterId, int max) {
        return unavailableIfFails("MySQL could not scan messages", () -> sessions.fromSession(session -> {
            SelectionQuery<MessageEntity> query = chatId.isPresent()
                    ? session.createSelectionQuery("from MessageEntity where chatId = :chat and id > :after order by id",
                            MessageEntity.class).setParameter("chat", chatId.get())
                    : session.createSelectionQuery("from MessageEntity where id > :after order by id", MessageEntity.class);
            return query.setParameter("after", afterId)
                    .setMaxResults(max)
                    .setReadOnly(true)
                    .getResultList()
                    .stream()
                    .map(MessageEntity::toMessage)
                    .toList();
        }));
    }

    @Override
    public java.util.Set<Long> withMissingWords(List<Message> messages) {
        return unavailableIfFails("MySQL could not read words", () -> sessions.fromSession(session ->
                session.doReturningWork(connection -> MessageWords.missing(connection, messages))));
    }

    @Override
    public long mendWords(long chatId) {
        return unavailableIfFails("MySQL could not mend words", () -> sessions.fromSession(session ->
                session.doReturningWork(connection -> MessageWords.mend(connection, chatId))));
    }

    @Override
    public long wordRows(long chatId) {
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> session
                .createNativeQuery("SELECT COUNT(*) FROM message_words WHERE chat_id = :chat", Long.class)
                .setParameter("chat", chatId)
                .getSingleResult()));
    }

    @Override
    public long count(Optional<Long> chatId) {
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> chatId.isPresent()
                ? session.createSelectionQuery("select count(*) from MessageEntity where chatId = :chat", Long.class)
                        .setParameter("chat", chatId.get()).getSingleResult()
                : session.createSelectionQuery("select count(*) from MessageEntity", Long.class).getSingleResult()));
    }

    @Override
    public List<Message> newest(long chatId, Optional<OrderKey> below, int max) {
        return slice(new Slice(chatId, List.of(), Slice.Direction.OLDER, below, max));
    }

    @Override
    public long countInWindows(int window) {
        if (window == 0) {
            return count(Optional.empty());
        }
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> session
                .createNativeQuery("SELECT COALESCE(SUM(LEAST(n, :window)), 0) FROM"
                        + " (SELECT COUNT(*) AS n FROM messages GROUP BY chat_id) AS per_chat", Long.class)
                .setParameter("window", window)
                .getSingleResult()));
    }

    @Override
    public java.util.Set<Long> withMessages(Collection<Long> chatIds) {
        if (chatIds.isEmpty()) {
            return java.util.Set.of();
        }
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> new java.util.HashSet<>(session
                .createSelectionQuery("select distinct chatId from MessageEntity where chatId in :chats", Long.class)
                .setParameter("chats", chatIds)
                .getResultList())));
    }

    /** why MAX per chat_id: the (chat_id, created_at, id) index answers it with one seek per chat. */
    @Override
    public List<Long> chatsByLatestMessage() {
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> session
                .createNativeQuery("SELECT chat_id FROM messages GROUP BY chat_id ORDER BY MAX(created_at) DESC, chat_id",
                        Long.class)
                .getResultList()));
    }

    @Override
    public List<Long> chats() {
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> session
                .createSelectionQuery("select distinct chatId from MessageEntity order by chatId", Long.class)
                .getResultList()));
    }

    @Override
    public long outboxSize() {
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> session
                .createNativeQuery("SELECT COUNT(*) FROM cache_outbox", Long.class)
                .getSingleResult()));
    }

    /**
     * When the oldest outbox row was committed (epoch milliseconds), or null when the outbox is
     * empty. why by id: ids grow with commits, and the primary key finds the first row at once
     * (created_at has no index).
     */
    public Long outboxOldestMillis() {
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> session
                .createNativeQuery("SELECT created_at FROM cache_outbox ORDER BY id LIMIT 1", Long.class)
                .getResultStream().findFirst().orElse(null)));
    }

    @Override
    public List<Message> load(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return unavailableIfFails("MySQL could not load messages", () -> sessions.fromSession(session -> session
                .createSelectionQuery("from MessageEntity where id in :ids", MessageEntity.class)
                .setParameter("ids", ids)
                .getResultList()
                .stream()
                .map(MessageEntity::toMessage)
                .toList()));
    }

    @Override
    public Optional<Message> find(long chatId, long messageId) {
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> Optional.ofNullable(session.find(MessageEntity.class, messageId))
                .map(MessageEntity::toMessage)
                .filter(m -> m.chatId() == chatId)));
    }

    /**
     * The statements this store runs for the pager's steps (explain), with {@code ?} for each
     * bound parameter in order: the anchor by primary key (Hibernate's find, shown as the SQL it
     * means), and each slice's keyset query with the row limit Hibernate adds.
     */
    public static Explain.Translator<Explain.Statement> translator() {
        return new Explain.Translator<>() {
            @Override
            public List<Explain.Statement> find(long chatId, long messageId) {
                return List.of(new Explain.Statement("SELECT m.* FROM messages m WHERE m.id = ?", List.of(messageId)));
            }

            @Override
            public List<Explain.Statement> slice(Slice slice, List<Long> answerIds) {
                return List.of(SliceSql.of(slice).positional(slice.count()));
            }
        };
    }

    @Override
    public List<Message> slice(Slice slice) {
        SliceSql query = SliceSql.of(slice);
        return unavailableIfFails("MySQL query failed", () -> sessions.fromSession(session -> {
            NativeQuery<MessageEntity> q = session.createNativeQuery(query.sql(), MessageEntity.class);
            query.parameters().forEach(q::setParameter);
            return q.setMaxResults(slice.count())
                    .setReadOnly(true)
                    .getResultList()
                    .stream()
                    .map(MessageEntity::toMessage)
                    .toList();
        }));
    }

    /** One bulk UPDATE, with outbox rows for the marks in the same transaction; returns the rows' ids. */
    @Override
    public List<Long> markRead(long chatId, Collection<Long> ids) {
        return updateRead(chatId, ids, true);
    }

    @Override
    public void applyReadMarks(Collection<Long> ids) {
        updateRead(0, ids, false);
    }

    /** @return the ids of the outbox rows written (none without {@code withOutbox}; then the chat is not needed) */
    private List<Long> updateRead(long chatId, Collection<Long> ids, boolean withOutbox) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Long> all = new ArrayList<>(ids);
        return unavailableIfFails("MySQL could not mark messages read", () -> sessions.fromTransaction(session -> {
            List<Long> outboxIds = withOutbox ? addToOutbox(session, all.stream().map(id -> new Change(id, chatId)).toList(), clock.millis()) : List.of();
            CriteriaBuilder cb = session.getCriteriaBuilder();
            for (int from = 0; from < all.size(); from += MARK_CHUNK) {
                List<Long> chunk = all.subList(from, Math.min(all.size(), from + MARK_CHUNK));
                CriteriaUpdate<MessageEntity> update = cb.createCriteriaUpdate(MessageEntity.class);
                Root<MessageEntity> m = update.from(MessageEntity.class);
                update.set(m.<Boolean>get("read"), true)
                        .where(m.get("id").in(chunk), cb.isFalse(m.get("read")));
                session.createMutationQuery(update).executeUpdate();
            }
            return outboxIds;
        }));
    }
}
