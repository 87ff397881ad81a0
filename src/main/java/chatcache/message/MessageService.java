package chatcache.message;

import chatcache.core.BackendUnavailableException;
import chatcache.core.EventId;
import chatcache.core.Message;
import chatcache.logging.ExceptionText;
import chatcache.query.SearchCriteria;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Writes go to MySQL (the source of truth) and then to Redis; reads go to the backend the
 * caller's role selects, and mark what they return as read.
 */
public final class MessageService {
    private static final Logger log = LoggerFactory.getLogger(MessageService.class);

    private final Clock clock;
    private final MessageStore primary;
    private final MessageCache cache;
    private final MessageBackend mysql;
    private final MessageBackend redis;

    private final CopyToCache copies;
    private final AfterCommit afterCommit;
    private final GroupCommit posts;
    private final Fallbacks fallbacks = new Fallbacks();
    private final Explain.Translators translators;
    private final IdempotencyKeys keys;
    private final ChatReads chatReads;

    /** Runs between the MySQL commit and the Redis write; fault tests make it fail there. */
    @FunctionalInterface
    public interface AfterCommit {
        AfterCommit NOTHING = message -> { };

        void committed(Message message);
    }

    public MessageService(Clock clock, MessageStore primary, MessageCache cache, CopyToCache copies,
                          MessageBackend mysql, MessageBackend redis) {
        this(clock, primary, cache, copies, mysql, redis, AfterCommit.NOTHING);
    }

    /** Without explain's translations, and without Idempotency-Keys (tests that call the service itself). */
    public MessageService(Clock clock, MessageStore primary, MessageCache cache, CopyToCache copies,
                          MessageBackend mysql, MessageBackend redis, AfterCommit afterCommit) {
        this(clock, primary, cache, copies, mysql, redis, afterCommit, Explain.Translators.NONE, null, ChatReads.NONE);
    }

    /**
     * @param cache       the Redis copy, read to tell whether an edited message was read meanwhile
     * @param copies      copies each committed change to Redis at once (or leaves it to the relay)
     * @param translators how each store translates a page's reads, for {@code explain}
     * @param keys        the Idempotency-Keys of writes (null: requests may not carry one)
     * @param chatReads   where the Redis route reports the chats it read, and those Redis did not hold
     */
    public MessageService(Clock clock, MessageStore primary, MessageCache cache, CopyToCache copies,
                          MessageBackend mysql, MessageBackend redis, AfterCommit afterCommit,
                          Explain.Translators translators, IdempotencyKeys keys, ChatReads chatReads) {
        this.keys = keys;
        this.chatReads = Objects.requireNonNull(chatReads);
        this.translators = Objects.requireNonNull(translators);
        this.clock = Objects.requireNonNull(clock);
        this.primary = Objects.requireNonNull(primary);
        this.cache = Objects.requireNonNull(cache);
        this.copies = Objects.requireNonNull(copies);
        this.mysql = Objects.requireNonNull(mysql);
        this.redis = Objects.requireNonNull(redis);
        this.afterCommit = Objects.requireNonNull(afterCommit);
        this.posts = new GroupCommit(primary, copies, afterCommit);
    }

    /**
     * Stores the message in MySQL (with its outbox entry, in one transaction, shared with the
     * posts of concurrent requests), then caches it. If the cache write fails, or the program
     * dies in between, the relay copies it later.
     */
    public Message post(NewMessage draft) {
        return post(draft, null);
    }

    /**
     * The same, for a request that claimed an Idempotency-Key ({@code claim}, or null): the post
     * commits only while the claim is still this request's, and records its message on the key.
     * Throws {@link ClaimTakenOverException} if a repeat took the claim over meanwhile.
     */
    public Message post(NewMessage draft, IdempotencyClaim claim) {
        return posts.post(new MessageStore.Draft(draft, clock.millis(), claim));
    }

    /** The Idempotency-Keys of writes, if this service keeps them. */
    public java.util.Optional<IdempotencyKeys> idempotencyKeys() {
        return java.util.Optional.ofNullable(keys);
    }

    /** Now, on this service's clock. */
    public long now() {
        return clock.millis();
    }

    /**
     * The author changes the text of a message, while it may post in the chat ({@code mayPost}:
     * a member removed from a chat edits nothing there).
     */
    public Message edit(long chatId, long messageId, String text, User caller, boolean mayPost) {
        Message current = mysql.find(chatId, messageId).orElseThrow(() -> new MessageNotFoundException(chatId, messageId));
        if (current.userId() != caller.id()) {
            throw new NotAllowedException("only the author may edit a message");
        }
        if (!mayPost) {
            throw new NotAllowedException("only members may edit their messages in a chat");
        }
        Stored edited = primary.updateText(messageId, text, clock.millis())
                .orElseThrow(() -> new MessageNotFoundException(chatId, messageId));
        afterCommit.committed(edited.message());
        copies.edited(edited);
        return edited.message().withRead(edited.message().read() || readInCache(chatId, messageId));
    }

    /** The message, as MySQL holds it, if it is one of this chat's (404 otherwise). */
    public Message findInStore(long chatId, long messageId) {
        return mysql.find(chatId, messageId).orElseThrow(() -> new MessageNotFoundException(chatId, messageId));
    }

    /** The author, or an API client, deletes a message. */
    public void delete(long chatId, long messageId, User caller) {
        Message current = mysql.find(chatId, messageId).orElseThrow(() -> new MessageNotFoundException(chatId, messageId));
        if (current.userId() != caller.id() && caller.role() != Role.API) {
            throw new NotAllowedException("only the author or an API client may delete a message");
        }
        long outboxId = primary.delete(messageId, clock.millis())
                .orElseThrow(() -> new MessageNotFoundException(chatId, messageId));
        afterCommit.committed(current);
        copies.deleted(new Stored(current, outboxId));
    }

    /** why: a mark made on the Redis path reaches MySQL ~200 ms later; the answer must not look unread meanwhile. */
    private boolean readInCache(long chatId, long messageId) {
        try {
            Message cached = cache.getAll(chatId, List.of(messageId)).get(messageId);
            return cached != null && cached.read();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * API callers read MySQL; everyone else reads Redis, or MySQL when Redis cannot answer or does
     * not hold the whole chat.
     */
    public FetchResult fetch(SearchCriteria criteria, Caller caller) {
        return fetch(criteria, caller, false);
    }

    /** The same, with both stores' translations of the page's reads when {@code explain}. */
    public FetchResult fetch(SearchCriteria criteria, Caller caller, boolean explain) {
        return fetch(criteria, caller, explain, Optional::empty);
    }

    /**
     * The same, with where its reader joins the chat's events ({@link FetchResult#eventId}): read
     * in the Redis route's first call, or by {@code positionNow} just before MySQL reads the page.
     * why not after: a change between the page and the position would never reach the reader.
     */
    public FetchResult fetch(SearchCriteria criteria, Caller caller, boolean explain,
                             Supplier<Optional<EventId>> positionNow) {
        if (caller.hasRole(Role.API)) {
            Optional<EventId> at = positionNow.get();
            return fetchFrom(mysql, criteria, caller, explain).withEventId(at);
        }
        try {
            FetchResult page = fetchFrom(redis, criteria, caller, explain);
            if (!page.source().equals("mysql")) {
                chatReads.held(criteria.chatId());
            }
            return page;
        } catch (ChatNotHeldException e) {
            // why: MySQL answers this page; the chat is loaded so that the next ones hit Redis
            fallbacks.add(Fallbacks.Cause.COLD);
            chatReads.cold(e.chatId());
        } catch (CacheIncompleteException e) {
            // why: a partial copy must never answer; MySQL gives the same result
            fallbacks.add(Fallbacks.Cause.INCOMPLETE);
        } catch (BackendUnavailableException e) {
            fallbacks.add(e.reason());
            log.warn("Redis could not answer ({}), answering from MySQL: {}", e.reason(), ExceptionText.summary(e));
        }
        Optional<EventId> at = positionNow.get();
        return fetchFrom(mysql, criteria, caller, explain).withEventId(at);
    }

    /**
     * The chat's version in Redis, for pages kept in memory ({@link HotPages}); empty when Redis
     * does not hold all of the chat, or cannot say (the page is then read as usual).
     */
    public OptionalLong version(long chatId) {
        try {
            return cache.version(chatId);
        } catch (BackendUnavailableException e) {
            return OptionalLong.empty();
        }
    }

    /** A page of the chat was served from memory at the version Redis holds: a read of the chat, as for the budget. */
    public void servedFromMemory(long chatId) {
        chatReads.held(chatId);
    }

    /** Redis-route reads answered by MySQL since start, by cause. */
    public Fallbacks fallbacks() {
        return fallbacks;
    }

    /** Reads one backend and marks what it returned, as the caller saw it. */
    public FetchResult fetchFrom(MessageBackend backend, SearchCriteria criteria, Caller caller) {
        return fetchFrom(backend, criteria, caller, false);
    }

    private FetchResult fetchFrom(MessageBackend route, SearchCriteria criteria, Caller caller, boolean explain) {
        MessageBackend backend = route.forOnePage();
        Explain.Recording recording = explain ? new Explain.Recording(backend) : null;
        Page page = Pager.page(recording != null ? recording : backend, criteria);
        // why before marking: a translation may walk the store again, and must see what the page saw
        List<JoinedPage.Continued> continued = backend instanceof JoinedPage joined ? joined.continued() : List.of();
        Optional<Explain> explained = Optional.ofNullable(recording).map(r -> r.translate(translators, continued));
        List<Long> toMark = unreadByOthers(page.messages(), caller.user());
        if (!toMark.isEmpty()) {
            List<Long> outboxIds = backend.markRead(criteria.chatId(), toMark);
            if (!outboxIds.isEmpty()) {
                copies.marked(criteria.chatId(), toMark, outboxIds);
            }
        }
        Optional<EventId> position = backend instanceof JoinedPage joined ? joined.position() : Optional.empty();
        return new FetchResult(page.messages(), backend.name(), page.hasOlder(), page.hasNewer(), explained, position);
    }

    /** Messages the caller did not write and nobody has read yet; anonymous callers mark nothing. */
    static List<Long> unreadByOthers(List<Message> messages, Optional<User> reader) {
        if (reader.isEmpty()) {
            return List.of();
        }
        long readerId = reader.get().id();
        return messages.stream()
                .filter(m -> !m.read() && m.userId() != readerId)
                .map(Message::id)
                .toList();
    }
}
