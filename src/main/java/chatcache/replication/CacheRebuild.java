package chatcache.replication;

import chatcache.core.Message;
import chatcache.message.CacheCompleteness;
import chatcache.message.Held;
import chatcache.message.MessageCache;
import chatcache.message.MessageStore;
import chatcache.query.OrderKey;
import chatcache.query.Words;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * Refills Redis from MySQL and checks that the two agree. A rebuild withdraws the cache's claim
 * to completeness first (readers of what is rebuilt go to MySQL), copies every message in
 * batches (idempotent, never unmarking a read), removes cached messages MySQL no longer has
 * (rebuild of one chat), and then claims completeness again. The server keeps serving and
 * writing meanwhile: new messages reach Redis through their own write path and the outbox.
 */
public final class CacheRebuild {
    private static final int BATCH = 1000;
    /** Chats without messages marked and let back together in a full rebuild. */
    private static final int CHATS_PER_STEP = 500;
    /** Chats with messages loaded together; the budget is looked at between steps (it may be passed by one step). */
    private static final int LOADED_PER_STEP = 10;

    private final MessageStore store;
    private final MessageCache cache;
    private final CacheCompleteness state;
    private final Runnable prepareRedis;
    /** How many of each chat's newest messages Redis holds (0: all). */
    private final int window;
    private final ChatLoad load;
    /** Whether Redis uses its budget already: a full rebuild stops loading chats with messages then. */
    private final java.util.function.BooleanSupplier budgetReached;
    private final ChatCopies chats;
    private final Lease lease;
    /** The last rebuild this instance ran (or runs), for metrics; one writer at a time (the lease). */
    private volatile Status status = new Status(false, 0, 0);

    /**
     * This instance's rebuild: whether one runs now, and messages copied of the total, of the one
     * running or else of the last one (0 of 0 before any).
     */
    public record Status(boolean running, long done, long total) {
    }

    /** Reports progress of long work: {@code done} of {@code total}. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void step(long done, long total);
    }

    /** Another instance (or a CLI run) is rebuilding now. */
    public static final class AlreadyRunning extends RuntimeException {
        AlreadyRunning(String holder) {
            super("a rebuild by " + holder + " is running; readers get MySQL until it is done");
        }

        AlreadyRunning(String what, boolean ofAChat) {
            super(what + " is running; readers of the chat get MySQL until it is done");
        }
    }

    /**
     * @param prepareRedis creates the index and streams if they are missing (after a flush)
     * @param lease        held while rebuilding: instances sharing Redis rebuild one at a time
     * @param load         loads one chat's window
     * @param budgetReached whether Redis uses its memory budget already (a full rebuild stops there)
     */
    CacheRebuild(MessageStore store, MessageCache cache, CacheCompleteness state, Runnable prepareRedis,
                        ChatCopies chats, Lease lease, ChatLoad load, java.util.function.BooleanSupplier budgetReached) {
        this.budgetReached = budgetReached;
        this.window = load.window();
        this.load = load;
        this.store = store;
        this.lease = lease;
        this.chats = chats;
        this.cache = cache;
        this.state = state;
        this.prepareRedis = prepareRedis;
    }

    /**
     * Rebuilds one chat, or everything; returns how many messages were copied. Throws
     * {@link AlreadyRunning} if another instance holds the rebuild lease, and stops (throwing) if
     * the lease is lost meanwhile (Redis lost its data again: the next check starts over).
     */
    public long rebuild(Optional<Long> chatId, Progress progress) {
        return holdingLease(chatId, false, progress);
    }

    /**
     * Rebuilds the part of the cache whose claim is missing ({@link CacheCompleteness#lacking}: on
     * one Redis the whole cache, with groups the groups that lost it, as a Redis Cluster primary
     * that lost its data), as {@link #rebuild} does the whole; readers of other chats stay with
     * Redis meanwhile. Returns how many messages were copied (0 when nothing lacks its claim).
     */
    public long rebuildLacking(Progress progress) {
        return holdingLease(Optional.empty(), true, progress);
    }

    private long holdingLease(Optional<Long> chatId, boolean lacking, Progress progress) {
        if (!lease.tryAcquire()) {
            throw new AlreadyRunning(lease.holder().orElse("another instance"));
        }
        try {
            return rebuildHoldingLease(chatId, lacking, (done, total) -> {
                status = new Status(true, done, total);
                progress.step(done, total);
            });
        } finally {
            Status last = status;
            status = new Status(false, last.done(), last.total());
            try {
                lease.release();
            } catch (RuntimeException e) {
                // it expires by itself
            }
        }
    }

    private long rebuildHoldingLease(Optional<Long> chatId, boolean lacking, Progress progress) {
        prepareRedis.run();
        // why read under the lease: another instance may have rebuilt the part meanwhile
        CacheCompleteness.Part part = lacking ? state.lacking() : state.whole();
        if (chatId.isEmpty()) {
            if (part.isEmpty()) {
                return 0;
            }
            state.markIncomplete(part);
        }
        // a part's total is not counted (MySQL knows no groups): 0, unknown
        long total = chatId.isPresent() ? Math.min(store.count(chatId), window == 0 ? Long.MAX_VALUE : window)
                : part.isWhole() ? store.countInWindows(window) : 0;
        long[] copied = {0};
        progress.step(0, total);
        LongConsumer afterBatch = n -> {
            copied[0] += n;
            progress.step(copied[0], Math.max(total, copied[0]));
            if (!lease.renew()) {
                throw new IllegalStateException("the rebuild lease was lost (did Redis lose its data?): rebuild stopped");
            }
        };
        if (chatId.isPresent()) {
            long chat = chatId.get();
            Set<Long> seen = new HashSet<>();
            Optional<ChatLoad.Loaded> loaded = load.load(chat, afterBatch, seen, l -> {
                // the chat (visibility, members) last: a change meanwhile was copied by its own request
                // or is in the outbox; copies of one chat settle on its newest version
                chats.copy(List.of(chat));
                // why by sort key, not through each stale id's hash: the hash may be gone, or hold
                // another chat's message under an id MySQL handed out again
                cache.removeStale(chat, seen, ids -> stillIn(chat, ids));
            });
            if (loaded.isEmpty()) {
                throw new AlreadyRunning("a load or eviction of chat " + chat, true);
            }
        } else {
            // chats without messages first (they cost nothing), then the most recently posted to, until
            // the budget is reached: the rest are loaded when first read
            List<Long> byRecency = store.chatsByLatestMessage().stream().filter(part::includes).toList();
            List<Long> ids = chats.ids().stream().filter(part::includes).toList();
            Set<Long> empty = new TreeSet<>(ids);
            byRecency.forEach(empty::remove);
            List<Long> without = List.copyOf(empty);
            for (int from = 0; from < without.size(); from += CHATS_PER_STEP) {
                load.loadAll(without.subList(from, Math.min(without.size(), from + CHATS_PER_STEP)), afterBatch);
            }
            // a chat another instance loads or evicts meanwhile is left to it
            int from = 0;
            for (; from < byRecency.size() && !budgetReached.getAsBoolean(); from += LOADED_PER_STEP) {
                load.loadAll(byRecency.subList(from, Math.min(byRecency.size(), from + LOADED_PER_STEP)), afterBatch);
            }
            // why drop the rest: a rebuild refills Redis from MySQL; a chat it did not reload is left
            // to MySQL until its next read loads it, not to what Redis held before
            load.dropAll(byRecency.subList(Math.min(from, byRecency.size()), byRecency.size()));
            if (part.isWhole()) {
                chats.copyAll(n -> { });
            } else {
                for (int at = 0; at < ids.size(); at += BATCH) {
                    chats.copy(ids.subList(at, Math.min(ids.size(), at + BATCH)));
                }
            }
            state.markComplete(part);
        }
        return copied[0];
    }

    /** Every chat: those with messages, and those without any yet (their first posts must reach Redis). */
    private Set<Long> chatsToHold() {
        Set<Long> all = new TreeSet<>(store.chats());
        all.addAll(chats.ids());
        return all;
    }

    /** What this instance's rebuild has done: see {@link Status}. */
    public Status status() {
        return status;
    }

    /** Those of these ids that are messages of this chat in MySQL now. */
    private Set<Long> stillIn(long chatId, Set<Long> ids) {
        Set<Long> found = new HashSet<>();
        List<Long> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += BATCH) {
            for (Message m : store.load(all.subList(from, Math.min(all.size(), from + BATCH)))) {
                if (m.chatId() == chatId) {
                    found.add(m.id());
                }
            }
        }
        return found;
    }

    /** Differences between the stores, as lines a person can read; empty when they agree. */
    public List<String> verify(Optional<Long> chatId, Progress progress) {
        List<String> drift = new ArrayList<>();
        Checked checked = new Checked(store.count(chatId), progress);
        for (long chat : chatId.map(List::of).orElseGet(() -> List.copyOf(chatsToHold()))) {
            Held<Boolean> window = cache.window(chat);
            if (!window.value()) {
                holdsNothing(chat, drift);
                checked.add((int) store.count(Optional.of(chat)));
                continue;
            }
            Tally tally = compareMessages(chat, window.boundary(), checked, drift);
            compareOrderIndex(chat, tally, drift);
            compareCounts(chat, tally, drift);
            if (this.window > 0 && tally.ids().size() > this.window) {
                drift.add("chat " + chat + ": Redis holds " + tally.ids().size() + " messages, more than its window of "
                        + this.window);
            }
        }
        drift.addAll(this.chats.verify(chatId));
        return drift;
    }

    /** What MySQL holds of one chat, gathered while its messages are compared. */
    private record Tally(Set<Long> ids, Map<Long, Set<Long>> idsByAuthor, long words, long read) {
    }

    /** Messages compared so far, shown as progress against the total. */
    private static final class Checked {
        private final long total;
        private final Progress progress;
        private long done;

        Checked(long total, Progress progress) {
            this.total = total;
            this.progress = progress;
        }

        void add(int n) {
            done += n;
            progress.step(done, Math.max(total, done));
        }
    }

    /** A chat whose messages Redis does not hold must have nothing of them in Redis. */
    private void holdsNothing(long chat, List<String> drift) {
        Set<Long> ordered = cache.orderedIds(chat);
        if (!ordered.isEmpty()) {
            drift.add("chat " + chat + ": Redis does not hold the chat but lists messages " + sample(ordered));
        }
        long indexed = cache.indexedCount(chat);
        if (indexed != 0) {
            drift.add("chat " + chat + ": Redis does not hold the chat but its index holds " + indexed + " of its messages");
        }
    }

    /**
     * Each message of the chat at or above its boundary (all, when Redis holds the whole chat),
     * field by field, and the words both stores search, in batches; a message below the boundary
     * must not be in Redis. MySQL's word rows are checked for every message.
     */
    private Tally compareMessages(long chat, Optional<OrderKey> boundary, Checked checked, List<String> drift) {
        Set<Long> inMysql = new HashSet<>();
        Map<Long, Set<Long>> byAuthor = new HashMap<>();
        long words = 0;
        long read = 0;
        long after = 0;
        List<Message> batch;
        while (!(batch = store.scan(Optional.of(chat), after, BATCH)).isEmpty()) {
            Map<Long, Message> cached = cache.getAll(chat, batch.stream().map(Message::id).toList());
            List<Message> inWindow = new ArrayList<>();
            for (Message m : batch) {
                Message c = cached.get(m.id());
                if (boundary.map(b -> new OrderKey(m.createdAt(), m.id()).compareTo(b) < 0).orElse(false)) {
                    if (c != null) {
                        drift.add("chat " + chat + ": message " + m.id() + " lies below the chat's window but is in Redis");
                    }
                    continue;
                }
                inWindow.add(m);
                inMysql.add(m.id());
                byAuthor.computeIfAbsent(m.userId(), a -> new HashSet<>()).add(m.id());
                if (c == null) {
                    drift.add("chat " + chat + ": message " + m.id() + " is missing from Redis");
                } else if (!c.equals(m)) {
                    drift.add("chat " + chat + ": message " + m.id() + " differs: MySQL " + m + ", Redis " + c);
                }
            }
            // the words both stores search: each message's rows in MySQL, its field in Redis
            Set<Long> missingWords = store.withMissingWords(batch);
            if (!missingWords.isEmpty()) {
                drift.add("chat " + chat + ": MySQL lacks word rows of messages " + sample(missingWords));
            }
            Set<Long> otherWords = cache.withOtherWords(inWindow);
            if (!otherWords.isEmpty()) {
                drift.add("chat " + chat + ": Redis holds other words than the text's for messages " + sample(otherWords));
            }
            words += batch.stream().mapToLong(m -> Words.of(m.text()).size()).sum();
            read += inWindow.stream().filter(Message::read).count();
            after = batch.get(batch.size() - 1).id();
            checked.add(batch.size());
        }
        return new Tally(inMysql, byAuthor, words, read);
    }

    /** The chat's order index, and each author's, against MySQL's ids. */
    private void compareOrderIndex(long chat, Tally tally, List<String> drift) {
        Set<Long> ordered = cache.orderedIds(chat);
        Set<Long> extra = new HashSet<>(ordered);
        extra.removeAll(tally.ids());
        Set<Long> unordered = new HashSet<>(tally.ids());
        unordered.removeAll(ordered);
        if (!extra.isEmpty()) {
            drift.add("chat " + chat + ": Redis lists messages MySQL does not have: " + sample(extra));
        }
        if (!unordered.isEmpty()) {
            drift.add("chat " + chat + ": messages missing from the order index: " + sample(unordered));
        }
        Map<Long, Set<Long>> cachedByAuthor = cache.orderedIdsByAuthor(chat);
        Set<Long> authors = new TreeSet<>(tally.idsByAuthor().keySet());
        authors.addAll(cachedByAuthor.keySet());
        for (long author : authors) {
            Set<Long> want = tally.idsByAuthor().getOrDefault(author, Set.of());
            Set<Long> have = cachedByAuthor.getOrDefault(author, Set.of());
            if (!want.equals(have)) {
                Set<Long> extraOfAuthor = new HashSet<>(have);
                extraOfAuthor.removeAll(want);
                Set<Long> missingOfAuthor = new HashSet<>(want);
                missingOfAuthor.removeAll(have);
                drift.add("chat " + chat + ": the order index of author " + author + " differs: extra "
                        + sample(extraOfAuthor) + ", missing " + sample(missingOfAuthor));
            }
        }
    }

    /** Word rows in MySQL, and the index's counts of messages and of read ones. */
    private void compareCounts(long chat, Tally tally, List<String> drift) {
        long wordRows = store.wordRows(chat);
        if (wordRows != tally.words()) {
            drift.add("chat " + chat + ": MySQL holds " + wordRows + " word rows, its messages have " + tally.words()
                    + " words (rows of edited or deleted texts left behind)");
        }
        long indexedRead = cache.indexedReadCount(chat);
        if (indexedRead >= 0 && indexedRead != tally.read()) { // -1: the index does not keep it (1.x)
            drift.add("chat " + chat + ": the index holds " + indexedRead + " messages as read, MySQL " + tally.read());
        }
        long indexed = cache.indexedCount(chat);
        if (indexed != tally.ids().size()) {
            drift.add("chat " + chat + ": the index holds " + indexed + " messages, MySQL " + tally.ids().size());
        }
    }

    private static String sample(Set<Long> ids) {
        List<Long> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        return (sorted.size() > 10 ? sorted.subList(0, 10) + " and " + (sorted.size() - 10) + " more" : sorted.toString());
    }
}
