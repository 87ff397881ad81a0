package chatcache.replication;

import chatcache.core.Message;
import chatcache.message.CacheCompleteness;
import chatcache.message.MessageCache;
import chatcache.message.MessageStore;
import chatcache.query.OrderKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Loads chats' windows into Redis: each chat's newest {@code window} messages (all when 0),
 * newest first, in batches, while its readers are answered by MySQL; then its readers go to
 * Redis again. One loader or evictor per chat at a time, across instances ({@link ChatLocks}): a
 * chat another holds is left to it.
 *
 * <p>why exact: the chat is marked held (boundary "") and being rebuilt before MySQL is read, so
 * a message committed after that is written by its own writer, and one committed before is found
 * by the load; each batch is settled against MySQL (a delete or edit may overtake a copy). The
 * boundary is set to the oldest message loaded when MySQL holds older ones, in the call that lets
 * readers back; a trim meanwhile (posts while loading) may only have moved it up.
 */
final class ChatLoad {
    private static final int BATCH = 1000;

    private final MessageStore store;
    private final MessageCache cache;
    private final CacheCompleteness state;
    private final ChatLocks locks;
    private final CacheSync sync;
    private final int window;

    ChatLoad(MessageStore store, MessageCache cache, CacheCompleteness state, ChatLocks locks, int window) {
        this.store = store;
        this.cache = cache;
        this.state = state;
        this.locks = locks;
        this.sync = new CacheSync(store, cache);
        this.window = window;
    }

    /** How many of each chat's newest messages Redis holds (0: all). */
    int window() {
        return window;
    }

    /** How many messages were loaded, and the oldest of them when MySQL holds older ones. */
    record Loaded(long count, Optional<OrderKey> oldestWhenMore) {
    }

    /**
     * Loads one chat, calling {@code afterBatch} with each batch's size, adding the ids loaded to
     * {@code ids} (unless null), and {@code beforeReaders} once loaded, before its readers come
     * back to Redis; empty when another loader or evictor holds the chat.
     */
    Optional<Loaded> load(long chatId, LongConsumer afterBatch, Set<Long> ids, Consumer<Loaded> beforeReaders) {
        Optional<String> token = locks.tryLock(chatId);
        if (token.isEmpty()) {
            return Optional.empty();
        }
        try {
            state.markChatsLoading(List.of(chatId));
            Loaded loaded = loadMarked(chatId, n -> {
                renew(chatId, token.get());
                afterBatch.accept(n);
            }, ids);
            beforeReaders.accept(loaded);
            state.markChatComplete(chatId, loaded.oldestWhenMore());
            return Optional.of(loaded);
        } finally {
            locks.unlockAll(Map.of(chatId, token.get()));
        }
    }

    /**
     * Loads many chats and lets their readers back on Redis, marking and ending them together:
     * chats without messages (most, on a new or small service) cost nothing of their own. Returns
     * the chats it left to another loader or evictor.
     */
    List<Long> loadAll(List<Long> chatIds, LongConsumer afterBatch) {
        Map<Long, String> tokens = locks.tryLockAll(chatIds);
        try {
            List<Long> mine = new ArrayList<>(tokens.keySet());
            state.markChatsLoading(mine);
            Map<Long, Optional<OrderKey>> ends = new HashMap<>();
            Set<Long> withMessages = store.withMessages(mine);
            for (long chat : mine) {
                // why every lock of the step: the chats after this one wait for their turn
                ends.put(chat, withMessages.contains(chat) ? loadMarked(chat, n -> {
                    if (!locks.renewAll(tokens)) {
                        throw new IllegalStateException("a load of chats lost a chat's lock: stopped");
                    }
                    afterBatch.accept(n);
                }, null).oldestWhenMore() : Optional.empty());
            }
            state.markChatsComplete(ends);
            return chatIds.stream().filter(c -> !tokens.containsKey(c)).toList();
        } finally {
            locks.unlockAll(tokens);
        }
    }

    /** Drops those of these chats Redis holds (each under its lock; one another holds is left to it). */
    void dropAll(List<Long> chatIds) {
        for (int from = 0; from < chatIds.size(); from += BATCH) {
            List<Long> part = chatIds.subList(from, Math.min(chatIds.size(), from + BATCH));
            Map<Long, String> tokens = locks.tryLockAll(part);
            try {
                for (long chat : tokens.keySet()) {
                    if (cache.window(chat).value()) {
                        cache.drop(chat);
                    }
                }
            } finally {
                locks.unlockAll(tokens);
            }
        }
    }

    /** why stop: another may have taken the chat over (dropped it as a dead load) once the lock expired. */
    private void renew(long chatId, String token) {
        if (!locks.renew(chatId, token)) {
            throw new IllegalStateException("the load of chat " + chatId + " lost its lock: stopped");
        }
    }

    private Loaded loadMarked(long chatId, LongConsumer afterBatch, Set<Long> ids) {
        Optional<OrderKey> below = Optional.empty();
        long loaded = 0;
        boolean older;
        while (true) {
            int want = window == 0 ? BATCH : (int) Math.min(BATCH, window - loaded);
            // one more than wanted: whether MySQL holds older messages than the window
            List<Message> batch = store.newest(chatId, below, want + 1);
            older = batch.size() > want;
            List<Message> take = older ? batch.subList(0, want) : batch;
            if (!take.isEmpty()) {
                cache.putAll(take);
                sync.settle(chatId, take);
                Message last = take.get(take.size() - 1);
                below = Optional.of(new OrderKey(last.createdAt(), last.id()));
                loaded += take.size();
                if (ids != null) {
                    take.forEach(m -> ids.add(m.id()));
                }
                afterBatch.accept(take.size());
            }
            if (!older || (window > 0 && loaded >= window)) {
                break;
            }
        }
        return new Loaded(loaded, older ? below : Optional.empty());
    }
}
