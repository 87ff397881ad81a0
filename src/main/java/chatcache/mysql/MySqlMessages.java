package chatcache.mysql;

import chatcache.message.BackendUnavailableException;
import chatcache.message.Message;
import chatcache.message.MessageBackend;
import chatcache.message.MessageStore;
import chatcache.message.NewMessage;
import chatcache.message.ReadMarkReplica;
import chatcache.query.Slice;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaUpdate;
import jakarta.persistence.criteria.Root;
import org.hibernate.SessionFactory;
import org.hibernate.query.NativeQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Messages in MySQL through Hibernate: the source of truth, and the API role's read path. */
public final class MySqlMessages implements MessageStore, MessageBackend, ReadMarkReplica {
    private static final Logger log = LoggerFactory.getLogger(MySqlMessages.class);
    /** why: keeps each UPDATE ... IN (...) statement a reasonable size. */
    private static final int MARK_CHUNK = 1000;

    private final SessionFactory sessions;
    private final ReadMarkReplica cacheMarks;

    /** @param cacheMarks where marks made here are sent (the Redis copy) */
    public MySqlMessages(SessionFactory sessions, ReadMarkReplica cacheMarks) {
        this.sessions = sessions;
        this.cacheMarks = cacheMarks;
    }

    @Override
    public String name() {
        return "mysql";
    }

    @Override
    public Message insert(NewMessage draft, long createdAtMillis) {
        MessageEntity entity = new MessageEntity(draft.chatId(), draft.userId(), draft.text(), createdAtMillis, draft.data());
        try {
            sessions.inTransaction(session -> session.persist(entity));
        } catch (PersistenceException e) {
            throw new BackendUnavailableException("MySQL could not store the message: " + e.getMessage(), e);
        }
        return entity.toMessage();
    }

    @Override
    public Optional<Message> find(long chatId, long messageId) {
        try {
            return sessions.fromSession(session -> Optional.ofNullable(session.find(MessageEntity.class, messageId))
                    .map(MessageEntity::toMessage)
                    .filter(m -> m.chatId() == chatId));
        } catch (PersistenceException e) {
            throw new BackendUnavailableException("MySQL query failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Message> slice(Slice slice) {
        SliceSql query = SliceSql.of(slice);
        try {
            return sessions.fromSession(session -> {
                NativeQuery<MessageEntity> q = session.createNativeQuery(query.sql(), MessageEntity.class);
                query.parameters().forEach(q::setParameter);
                return q.setMaxResults(slice.count())
                        .setReadOnly(true)
                        .getResultList()
                        .stream()
                        .map(MessageEntity::toMessage)
                        .toList();
            });
        } catch (PersistenceException e) {
            throw new BackendUnavailableException("MySQL query failed: " + e.getMessage(), e);
        }
    }

    /** One bulk UPDATE here, then the same marks to Redis (best effort: a miss is logged). */
    @Override
    public void markRead(Collection<Long> ids) {
        applyReadMarks(ids);
        try {
            cacheMarks.applyReadMarks(ids);
        } catch (RuntimeException e) {
            log.warn("{} read marks are in MySQL but not in Redis: {}", ids.size(), e.toString());
        }
    }

    /** Marks these messages read in MySQL only: the read marks relayed from the Redis path land here. */
    @Override
    public void applyReadMarks(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        List<Long> all = new ArrayList<>(ids);
        try {
            sessions.inTransaction(session -> {
                CriteriaBuilder cb = session.getCriteriaBuilder();
                for (int from = 0; from < all.size(); from += MARK_CHUNK) {
                    List<Long> chunk = all.subList(from, Math.min(all.size(), from + MARK_CHUNK));
                    CriteriaUpdate<MessageEntity> update = cb.createCriteriaUpdate(MessageEntity.class);
                    Root<MessageEntity> m = update.from(MessageEntity.class);
                    update.set(m.<Boolean>get("read"), true)
                            .where(m.get("id").in(chunk), cb.isFalse(m.get("read")));
                    session.createMutationQuery(update).executeUpdate();
                }
            });
        } catch (PersistenceException e) {
            throw new BackendUnavailableException("MySQL could not mark messages read: " + e.getMessage(), e);
        }
    }
}
