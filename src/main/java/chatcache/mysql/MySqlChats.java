package chatcache.mysql;

import chatcache.chat.Access;
import chatcache.chat.Chat;
import chatcache.chat.ChatStore;
import chatcache.chat.Member;
import chatcache.chat.MemberRole;
import chatcache.chat.ReadMarker;
import chatcache.chat.Unread;
import chatcache.chat.Visibility;
import chatcache.query.OrderKey;
import org.hibernate.SessionFactory;
import org.hibernate.jdbc.ReturningWork;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Chats and members in MySQL (tables chats and chat_members), with plain JDBC in Hibernate's sessions. */
public final class MySqlChats implements ChatStore {
    private static final int CHUNK = 500;

    private final SessionFactory sessions;
    private final ChatIds ids = new ChatIds();

    public MySqlChats(SessionFactory sessions) {
        this.sessions = sessions;
    }

    @Override
    public Changed create(String title, Visibility visibility, Long ownerId, long now) {
        return inTransaction("MySQL could not create the chat", c -> {
            long id = insertWithNewId(c, title, visibility, ownerId, now);
            if (ownerId != null) {
                insertMember(c, id, ownerId, MemberRole.OWNER);
            }
            return changed(c, id, now);
        });
    }

    /** A random id (ChatIds); one already taken, which is rare, is drawn again. */
    private long insertWithNewId(Connection c, String title, Visibility visibility, Long ownerId, long now) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            long id = ids.next();
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO chats (id, title, visibility, owner_id, created_at, version) VALUES (?, ?, ?, ?, ?, 1)")) {
                insert.setLong(1, id);
                insert.setString(2, title);
                insert.setString(3, visibility.wire());
                if (ownerId == null) {
                    insert.setNull(4, Types.BIGINT);
                } else {
                    insert.setLong(4, ownerId);
                }
                insert.setLong(5, now);
                insert.executeUpdate();
                return id;
            } catch (SQLIntegrityConstraintViolationException taken) {
                if (attempt >= 5) {
                    throw taken;
                }
            }
        }
    }

    @Override
    public Changed adopt(long chatId, long now) {
        return inTransaction("MySQL could not adopt the chat", c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT IGNORE INTO chats"
                    + " (id, title, visibility, owner_id, created_at, version) VALUES (?, ?, 'public', NULL, ?, 1)")) {
                insert.setLong(1, chatId);
                insert.setString(2, "chat " + chatId);
                insert.setLong(3, now);
                if (insert.executeUpdate() == 0) {
                    return new Changed(load(c, List.of(chatId)).get(0), 0);
                }
            }
            return changed(c, chatId, now);
        });
    }

    @Override
    public Optional<Chat> find(long chatId) {
        List<Chat> found = load(List.of(chatId));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public List<Chat> load(Collection<Long> chatIds) {
        if (chatIds.isEmpty()) {
            return List.of();
        }
        // why a transaction: the chat rows and their members in one snapshot (REPEATABLE READ), so
        // that a copy never pairs a version with members of another (a racing copy could restore them)
        return inTransaction("MySQL could not read chats", c -> load(c, new ArrayList<>(chatIds)));
    }

    @Override
    public Optional<Access> access(long chatId, long userId) {
        return inSession("MySQL could not read the chat", c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT c.visibility, m.role, m.read_at, m.read_id FROM chats c"
                    + " LEFT JOIN chat_members m ON m.chat_id = c.id AND m.user_id = ? WHERE c.id = ?")) {
                q.setLong(1, userId);
                q.setLong(2, chatId);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Access(chatId, visibility(rs.getString(1)),
                            rs.getString(2) == null ? null : role(rs.getString(2)), marker(rs, 3)));
                }
            }
        });
    }

    @Override
    public Optional<Changed> addMember(long chatId, long userId, long now) {
        return inTransaction("MySQL could not add the member", c -> {
            if (!lockChat(c, chatId) || !userExists(c, userId)) {
                return Optional.empty();
            }
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM chat_members WHERE chat_id = ? AND user_id = ?")) {
                q.setLong(1, chatId);
                q.setLong(2, userId);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        return Optional.of(new Changed(load(c, List.of(chatId)).get(0), 0));
                    }
                }
            }
            insertMember(c, chatId, userId, MemberRole.MEMBER);
            return Optional.of(changed(c, chatId, now));
        });
    }

    @Override
    public Optional<Changed> removeMember(long chatId, long userId, long now) {
        return inTransaction("MySQL could not remove the member", c -> {
            if (!lockChat(c, chatId)) {
                return Optional.empty();
            }
            int removed;
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM chat_members WHERE chat_id = ? AND user_id = ?")) {
                delete.setLong(1, chatId);
                delete.setLong(2, userId);
                removed = delete.executeUpdate();
            }
            if (removed == 0) {
                return Optional.of(new Changed(load(c, List.of(chatId)).get(0), 0));
            }
            return Optional.of(changed(c, chatId, now));
        });
    }

    /** The marker in columns {@code at} (read_at) and {@code at + 1} (read_id); null when none. */
    private static OrderKey marker(ResultSet rs, int at) throws SQLException {
        long readAt = rs.getLong(at);
        if (rs.wasNull()) {
            return null;
        }
        return new OrderKey(readAt, rs.getLong(at + 1));
    }

    /** why one statement: forwards only, for members only, decided by MySQL in the row's own update. */
    private static final String MOVE_MARKER = "UPDATE chat_members SET read_at = ?, read_id = ?"
            + " WHERE chat_id = ? AND user_id = ? AND (read_at IS NULL OR read_at < ? OR (read_at = ? AND read_id < ?))";

    private static int moveMarker(PreparedStatement update, ReadMarker m) throws SQLException {
        update.setLong(1, m.upTo().createdAt());
        update.setLong(2, m.upTo().id());
        update.setLong(3, m.chatId());
        update.setLong(4, m.userId());
        update.setLong(5, m.upTo().createdAt());
        update.setLong(6, m.upTo().createdAt());
        update.setLong(7, m.upTo().id());
        return update.executeUpdate();
    }

    @Override
    public Optional<Changed> moveMarker(long chatId, long userId, OrderKey upTo, long now) {
        return inTransaction("MySQL could not move the read marker", c -> {
            if (!lockChat(c, chatId)) {
                return Optional.empty();
            }
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM chat_members WHERE chat_id = ? AND user_id = ?")) {
                q.setLong(1, chatId);
                q.setLong(2, userId);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                }
            }
            try (PreparedStatement update = c.prepareStatement(MOVE_MARKER)) {
                if (moveMarker(update, new ReadMarker(chatId, userId, upTo)) == 0) {
                    return Optional.of(new Changed(load(c, List.of(chatId)).get(0), 0));
                }
            }
            return Optional.of(changed(c, chatId, now));
        });
    }

    @Override
    public void applyMarkers(Collection<ReadMarker> markers) {
        if (markers.isEmpty()) {
            return;
        }
        inTransaction("MySQL could not apply read markers", c -> {
            try (PreparedStatement update = c.prepareStatement(MOVE_MARKER)) {
                for (ReadMarker m : markers) {
                    moveMarker(update, m);
                }
            }
            return null;
        });
    }

    @Override
    public long unreadBelow(long chatId, long userId, OrderKey marker, OrderKey below) {
        return inSession("MySQL could not count unread messages", c -> {
            String sql = "SELECT COUNT(*) FROM messages WHERE chat_id = ? AND user_id <> ?"
                    + (marker == null ? "" : " AND (created_at > ? OR (created_at = ? AND id > ?))")
                    + " AND (created_at < ? OR (created_at = ? AND id < ?))";
            try (PreparedStatement q = c.prepareStatement(sql)) {
                int i = 1;
                q.setLong(i++, chatId);
                q.setLong(i++, userId);
                if (marker != null) {
                    q.setLong(i++, marker.createdAt());
                    q.setLong(i++, marker.createdAt());
                    q.setLong(i++, marker.id());
                }
                q.setLong(i++, below.createdAt());
                q.setLong(i++, below.createdAt());
                q.setLong(i, below.id());
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** From {@code chat_deletions}, which each delete moves in its own transaction ({@link MySqlMessages#delete}). */
    @Override
    public Map<Long, Long> deletions(Collection<Long> chatIds) {
        Map<Long, Long> out = new HashMap<>();
        if (chatIds.isEmpty()) {
            return out;
        }
        return inSession("MySQL could not read the chats' deletions", c -> {
            List<Long> ids = List.copyOf(chatIds);
            String sql = "SELECT chat_id, deleted FROM chat_deletions WHERE chat_id IN ("
                    + String.join(",", Collections.nCopies(ids.size(), "?")) + ")";
            try (PreparedStatement q = c.prepareStatement(sql)) {
                for (int i = 0; i < ids.size(); i++) {
                    q.setLong(i + 1, ids.get(i));
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            ids.forEach(id -> out.putIfAbsent(id, 0L));
            return out;
        });
    }

    @Override
    public List<Unread> unread(long userId, Collection<Long> only) {
        return inSession("MySQL could not count unread messages", c -> {
            List<Unread> out = new ArrayList<>();
            String narrowed = only.isEmpty() ? "" : " AND chat_id IN (" + String.join(",", Collections.nCopies(only.size(), "?")) + ")";
            List<Object[]> memberships = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT chat_id, read_at, read_id FROM chat_members"
                    + " WHERE user_id = ?" + narrowed + " ORDER BY chat_id")) {
                q.setLong(1, userId);
                int i = 2;
                for (long id : only) {
                    q.setLong(i++, id);
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        memberships.add(new Object[]{rs.getLong(1), marker(rs, 2)});
                    }
                }
            }
            // why per chat: each count is a range of (chat_id, created_at, id), from the marker up
            try (PreparedStatement all = c.prepareStatement("SELECT COUNT(*) FROM messages WHERE chat_id = ? AND user_id <> ?");
                 PreparedStatement above = c.prepareStatement("SELECT COUNT(*) FROM messages WHERE chat_id = ? AND user_id <> ?"
                         + " AND (created_at > ? OR (created_at = ? AND id > ?))")) {
                for (Object[] m : memberships) {
                    long chatId = (Long) m[0];
                    OrderKey marker = (OrderKey) m[1];
                    PreparedStatement q = marker == null ? all : above;
                    q.setLong(1, chatId);
                    q.setLong(2, userId);
                    if (marker != null) {
                        q.setLong(3, marker.createdAt());
                        q.setLong(4, marker.createdAt());
                        q.setLong(5, marker.id());
                    }
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        out.add(new Unread(chatId, rs.getLong(1), marker == null ? null : marker.id()));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<Long> ids(long afterId, int max) {
        return inSession("MySQL could not list chats", c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT id FROM chats WHERE id > ? ORDER BY id LIMIT ?")) {
                q.setLong(1, afterId);
                q.setInt(2, max);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            return ids;
        });
    }

    /** Locks the chat's row until the transaction ends (changes of one chat commit in turn); false if it does not exist. */
    private static boolean lockChat(Connection c, long chatId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM chats WHERE id = ? FOR UPDATE")) {
            q.setLong(1, chatId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean userExists(Connection c, long userId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM users WHERE id = ?")) {
            q.setLong(1, userId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void insertMember(Connection c, long chatId, long userId, MemberRole role) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO chat_members (chat_id, user_id, role) VALUES (?, ?, ?)")) {
            insert.setLong(1, chatId);
            insert.setLong(2, userId);
            insert.setString(3, role.wire());
            insert.executeUpdate();
        }
    }

    /** After a change in this transaction: a new version, an outbox row for Redis, and the chat as it is now. */
    private static Changed changed(Connection c, long chatId, long now) throws SQLException {
        try (PreparedStatement bump = c.prepareStatement("UPDATE chats SET version = version + 1 WHERE id = ?")) {
            bump.setLong(1, chatId);
            bump.executeUpdate();
        }
        long outboxId;
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO cache_outbox (message_id, chat_id, created_at) VALUES (0, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            insert.setLong(1, chatId);
            insert.setLong(2, now);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                outboxId = keys.getLong(1);
            }
        }
        return new Changed(load(c, List.of(chatId)).get(0), outboxId);
    }

    private static List<Chat> load(Connection c, List<Long> ids) throws SQLException {
        List<Chat> chats = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            String marks = String.join(",", Collections.nCopies(chunk.size(), "?"));
            Map<Long, List<Member>> members = new HashMap<>();
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT chat_id, user_id, role, read_at, read_id FROM chat_members WHERE chat_id IN (" + marks + ")")) {
                bind(q, chunk);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        members.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                                .add(new Member(rs.getLong(2), role(rs.getString(3)), marker(rs, 4)));
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT id, title, visibility, owner_id, created_at, version"
                    + " FROM chats WHERE id IN (" + marks + ") ORDER BY id")) {
                bind(q, chunk);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        long owner = rs.getLong(4);
                        Long ownerId = rs.wasNull() ? null : owner;
                        chats.add(new Chat(id, rs.getString(2), visibility(rs.getString(3)), ownerId, rs.getLong(5),
                                rs.getLong(6), members.getOrDefault(id, List.of())));
                    }
                }
            }
        }
        return chats;
    }

    private static void bind(PreparedStatement q, List<Long> ids) throws SQLException {
        for (int i = 0; i < ids.size(); i++) {
            q.setLong(i + 1, ids.get(i));
        }
    }

    private static Visibility visibility(String wire) throws SQLException {
        return Visibility.fromWire(wire).orElseThrow(() -> new SQLException("unknown visibility '" + wire + "' in chats"));
    }

    private static MemberRole role(String wire) throws SQLException {
        return MemberRole.fromWire(wire).orElseThrow(() -> new SQLException("unknown role '" + wire + "' in chat_members"));
    }

    private <T> T inSession(String what, ReturningWork<T> work) {
        return StoreFailure.unavailableIfFails(what, () -> sessions.fromSession(session -> session.doReturningWork(work)));
    }

    private <T> T inTransaction(String what, ReturningWork<T> work) {
        return StoreFailure.unavailableIfFails(what, () -> sessions.fromTransaction(session -> session.doReturningWork(work)));
    }
}
