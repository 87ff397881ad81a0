package chatcache.chat;

import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.logging.ExceptionText;
import chatcache.message.CacheIncompleteException;
import chatcache.message.NotAllowedException;
import chatcache.query.OrderKey;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Chats, members and who may do what in a chat ({@link Access}). Changes go to MySQL, then to
 * Redis ({@link CopyChatToCache}). Questions follow the caller's route, like message reads: API
 * clients are answered from MySQL; everyone else from Redis, or from MySQL while Redis cannot
 * answer or does not hold a complete copy. Writes (posts, edits, deletes, member changes) are
 * checked against MySQL, where they are made.
 */
public final class ChatService {
    private static final Logger log = LoggerFactory.getLogger(ChatService.class);

    private final Clock clock;
    private final ChatStore store;
    private final BelowWindowCounts belowCounts;
    private final ChatReplica replica;
    private final CopyChatToCache copies;
    private final RememberedAccess remembered = new RememberedAccess();

    /**
     * @param wholeCountsAtOnce unread counts below a window MySQL makes whole at once (a quarter of
     *                          its pool: the rest of the pool stays for pages, posts and relays)
     * @param countWaitMillis   how long one waits for its turn before the request fails (503): MySQL's reply timeout
     */
    public ChatService(Clock clock, ChatStore store, ChatReplica replica, CopyChatToCache copies, int wholeCountsAtOnce,
                       long countWaitMillis) {
        this.clock = clock;
        this.store = store;
        this.belowCounts = new BelowWindowCounts(store, wholeCountsAtOnce, countWaitMillis);
        this.replica = replica;
        this.copies = copies;
    }

    /** A chat made by a signed-in user (its owner and first member) or by an API client (owned by no one). */
    public Chat create(String title, Visibility visibility, User creator) {
        Long owner = creator.role() == Role.API ? null : creator.id();
        ChatStore.Changed created = store.create(title, visibility, owner, clock.millis());
        copies.changed(created);
        return created.chat();
    }

    /** The chat, if the caller may read it; otherwise as if it did not exist. */
    public Chat get(long chatId, Caller caller) {
        Chat chat = routed(caller, s -> s.find(chatId), r -> r.find(chatId)).orElseThrow(() -> new ChatNotFoundException(chatId));
        if (!chat.accessOf(userId(caller)).mayRead(caller)) {
            throw new ChatNotFoundException(chatId);
        }
        return chat;
    }

    /** The members, for members and API clients; others who may read the chat are refused (403). */
    public List<Member> members(long chatId, Caller caller) {
        Chat chat = get(chatId, caller);
        if (!chat.accessOf(userId(caller)).mayListMembers(caller)) {
            throw new NotAllowedException("only members and API clients see the members of a chat");
        }
        return chat.members();
    }

    /**
     * The caller's access to a chat it may read (404 otherwise): as remembered in the last
     * {@value RememberedAccess#REMEMBER_MILLIS} ms, else checked on the caller's route.
     */
    public Access readable(long chatId, Caller caller) {
        long user = userId(caller);
        Access access = remembered.get(chatId, user).orElseGet(() -> {
            long since = remembered.generation();
            Access found = routed(caller, s -> s.access(chatId, user), r -> r.access(chatId, user))
                    .orElseThrow(() -> new ChatNotFoundException(chatId));
            remembered.put(found, user, since);
            return found;
        });
        if (!access.mayRead(caller)) {
            throw new ChatNotFoundException(chatId);
        }
        return access;
    }

    /** The caller's access to a chat it may read, checked in MySQL (for member changes and markers). */
    public Access readableInStore(long chatId, Caller caller) {
        Access access = store.access(chatId, userId(caller)).orElseThrow(() -> new ChatNotFoundException(chatId));
        if (!access.mayRead(caller)) {
            throw new ChatNotFoundException(chatId);
        }
        return access;
    }

    /**
     * Checks that the caller may post (and edit) in the chat: 404 if it may not read it, 403 if
     * only that. As {@link #readable}: a member removed elsewhere is refused within a second.
     */
    public Access requirePost(long chatId, Caller caller) {
        Access access = readable(chatId, caller);
        if (!access.mayPost(caller)) {
            throw new NotAllowedException("only members and API clients post in a chat");
        }
        return access;
    }

    /** Forgets what this server remembered of a chat's access (called when it changes or is copied here). */
    public void forget(long chatId) {
        remembered.forget(chatId);
    }

    /** Forgets every remembered decision (stores emptied under a running server, as tests do). */
    public void forgetAll() {
        remembered.forgetAll();
    }

    /** The owner or an API client makes a user a member. */
    public void addMember(long chatId, long userId, Caller caller) {
        if (!readableInStore(chatId, caller).mayManage(caller)) {
            throw new NotAllowedException("only the chat's owner and API clients add members");
        }
        ChatStore.Changed changed = store.addMember(chatId, userId, clock.millis())
                .orElseThrow(() -> new UserNotFoundException(userId));
        remembered.forget(chatId);
        copies.changed(changed);
    }

    /** The owner or an API client removes a member; a member removes themself. The owner stays. */
    public void removeMember(long chatId, long userId, Caller caller) {
        Access access = readableInStore(chatId, caller);
        boolean self = caller.user().map(u -> u.id() == userId).orElse(false);
        if (!self && !access.mayManage(caller)) {
            throw new NotAllowedException("only the chat's owner and API clients remove others");
        }
        Chat chat = store.find(chatId).orElseThrow(() -> new ChatNotFoundException(chatId));
        if (chat.ownerId() != null && chat.ownerId() == userId) {
            throw new ConflictException("the owner of a chat cannot be removed from it");
        }
        ChatStore.Changed changed = store.removeMember(chatId, userId, clock.millis())
                .orElseThrow(() -> new ChatNotFoundException(chatId));
        remembered.forget(chatId);
        copies.changed(changed);
    }

    /**
     * After a member's fetch: their read marker moves forwards to the newest message of the page,
     * in the store that answered the page (Redis first, which records the move for MySQL in the
     * read-mark stream; MySQL with an outbox row otherwise, or when Redis cannot take it).
     */
    public void advance(Access access, Caller caller, List<Message> page, String source) {
        if (!access.isMember() || caller.isAnonymous() || page.isEmpty()) {
            return;
        }
        OrderKey newest = page.stream().map(m -> new OrderKey(m.createdAt(), m.id())).max(OrderKey::compareTo).orElseThrow();
        if (access.lastRead() != null && newest.compareTo(access.lastRead()) <= 0) {
            return;
        }
        ReadMarker marker = new ReadMarker(access.chatId(), userId(caller), newest);
        if ("redis".equals(source)) {
            try {
                if (replica.advance(marker)) {
                    remembered.markerMoved(marker.chatId(), marker.userId(), newest);
                }
                return;
            } catch (BackendUnavailableException e) {
                // why MySQL then: Redis may have made the move without its replicas having it (a
                // promoted replica would forget it), or not at all; MySQL's forwards-only UPDATE
                // keeps it, and the two agree again once the relay or the next copy runs
                log.warn("a read marker could not move in redis ({}), moving it in MySQL: {}", e.reason(), ExceptionText.summary(e));
            }
        }
        try {
            // the MySQL route: a plain forwards-only UPDATE (no lock, no version: a marker is the
            // member's own), then Redis, which records the move for MySQL again (harmless)
            store.applyMarkers(List.of(marker));
            remembered.markerMoved(marker.chatId(), marker.userId(), newest);
            replica.copyMarker(marker);
        } catch (BackendUnavailableException e) {
            // why not fail the request: the page is answered; a marker that could not move moves
            // with the member's next read (the one store that took it keeps it, forwards only)
            log.warn("a read marker could not move in {} ({}): {}", source, e.reason(), ExceptionText.summary(e));
        }
    }

    /**
     * A member sets their read marker explicitly ({@code POST /chat/{id}/read}): forwards only.
     * Returns the marker as it is after the call (beyond {@code upTo} when it was already there).
     */
    public OrderKey moveMarker(long chatId, OrderKey upTo, Caller caller) {
        Access access = readableInStore(chatId, caller);
        if (!access.isMember()) {
            throw new NotAllowedException("only members keep a read marker in a chat");
        }
        ChatStore.Changed changed = store.moveMarker(chatId, userId(caller), upTo, clock.millis())
                .orElseThrow(() -> new NotAllowedException("only members keep a read marker in a chat"));
        remembered.forget(chatId);
        copies.changed(changed);
        OrderKey inStore = changed.chat().accessOf(userId(caller)).lastRead();
        // a marker moved in Redis may be ahead of MySQL's until the read-mark relay applies it
        OrderKey inCache = null;
        try {
            inCache = replica.access(chatId, userId(caller)).map(Access::lastRead).orElse(null);
        } catch (BackendUnavailableException e) {
            // MySQL's is the answer
        }
        return inCache != null && inCache.compareTo(inStore) > 0 ? inCache : inStore;
    }

    /**
     * {@code GET /me/unread}: the caller's unread counts, on the caller's route (Redis: no MySQL
     * statement, unless a marker lies below the window Redis holds of a chat: MySQL counts that part).
     */
    public List<Unread> unread(Caller caller, java.util.Collection<Long> only) {
        long user = userId(caller);
        // why MySQL's parts outside the route's fallback: a count that waited too long for its turn
        // must fail (503), not be answered by MySQL counting every chat whole
        Optional<List<HeldUnread>> fromRedis = routed(caller, s -> Optional.empty(), r -> Optional.of(r.unread(user, only)));
        if (fromRedis.isEmpty()) {
            return store.unread(user, only);
        }
        List<HeldUnread> held = fromRedis.get();
        // why read after Redis's counts and before MySQL's: a delete between this and the counts
        // makes the next request count again, never a kept count that missed it
        Map<Long, Long> deletions = store.deletions(held.stream()
                .filter(h -> h.mysqlBelow().filter(b -> !b.equals(HeldUnread.ABOVE_ALL)).isPresent())
                .map(h -> h.held().chatId()).toList());
        return held.stream().map(h -> h.mysqlBelow()
                .map(below -> new Unread(h.held().chatId(), h.held().unread() + belowWindow(h, user, below, deletions),
                        h.held().lastRead()))
                .orElse(h.held())).toList();
    }

    /**
     * MySQL's part of a count: below a window, kept and moved ({@link BelowWindowCounts}); for a
     * chat Redis holds none of, counted (its messages change at the top, where no count is kept).
     */
    private long belowWindow(HeldUnread h, long user, OrderKey below, Map<Long, Long> deletions) {
        long chat = h.held().chatId();
        OrderKey marker = h.marker().orElse(null);
        if (below.equals(HeldUnread.ABOVE_ALL)) {
            return store.unreadBelow(chat, user, marker, below);
        }
        return belowCounts.count(chat, user, marker, below, h.belowEpoch(), deletions.getOrDefault(chat, 0L));
    }

    /** Counts of MySQL's part made whole since start (see {@link BelowWindowCounts}); for tests. */
    public long wholeBelowWindowCounts() {
        return belowCounts.wholeCounts();
    }

    private static long userId(Caller caller) {
        return caller.user().map(User::id).orElse(0L);
    }

    /** API callers ask MySQL; others Redis, then MySQL when Redis cannot answer. */
    private <T> T routed(Caller caller, Function<ChatStore, T> fromStore, Function<ChatReplica, T> fromReplica) {
        if (caller.hasRole(Role.API)) {
            return fromStore.apply(store);
        }
        try {
            return fromReplica.apply(replica);
        } catch (CacheIncompleteException e) {
            return fromStore.apply(store);
        } catch (BackendUnavailableException e) {
            log.warn("Redis could not answer for chats ({}), asking MySQL: {}", e.reason(), ExceptionText.summary(e));
            return fromStore.apply(store);
        }
    }

    /** The user to add does not exist (404). */
    public static final class UserNotFoundException extends RuntimeException {
        public UserNotFoundException(long userId) {
            super("no user " + userId);
        }
    }

    /** The change contradicts the chat's state (409). */
    public static final class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }
}
