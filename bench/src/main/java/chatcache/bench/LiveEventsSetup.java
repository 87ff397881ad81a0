package chatcache.bench;

import chatcache.ChatCache;
import chatcache.events.EventSettings;
import chatcache.user.Role;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The live-events rows' chats, subscribers' callers, and the opening of their streams (issue #13). */
final class LiveEventsSetup {
    /** Streams opened at once before waiting for them: why not all: Jetty's accept queue, and a fair open time. */
    static final int OPEN_BATCH = 100;
    /** How long a batch of streams may take to answer 200 and send its retry line. */
    static final long OPEN_DEADLINE_MILLIS = 30_000;

    private LiveEventsSetup() {
    }

    /** The chats the subscribers follow: --chat-base + 950000000 + i. */
    static List<Long> chatIds(BenchOptions o) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < o.subscriberChats(); i++) {
            ids.add(o.subscriberChatId(i));
        }
        return ids;
    }

    /** Public chats (made on first use, reused), the writer a member of each: a post needs membership. */
    static void openChats(ChatCache cache, BenchOptions o, long writerId) {
        List<Long> ids = chatIds(o);
        long now = System.currentTimeMillis();
        for (long id : ids) {
            cache.chatStore().adopt(id, now);
            cache.chatStore().addMember(id, writerId, now);
        }
        cache.chatCopies().copy(ids);
    }

    /**
     * Tokens of signed-in users (non-members: the chats are public), as few as the app's limit of
     * streams per caller allows ({@link EventSettings#maxPerCaller}): the subscribers take them in turn.
     */
    static List<String> subscriberTokens(ChatCache cache, int subscribers) {
        int perCaller = EventSettings.DEFAULT.maxPerCaller();
        int users = (subscribers + perCaller - 1) / perCaller;
        List<String> tokens = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            tokens.add(cache.authenticator().issue("bench-subscriber-" + (i + 1), Role.USER).token());
        }
        return tokens;
    }

    /** Streams per caller: subscriber i uses caller i / this. */
    static int perCaller(int subscribers, int callers) {
        return (subscribers + callers - 1) / callers;
    }

    /**
     * Opens the streams in batches of {@link #OPEN_BATCH}, each answered 200 with its retry line
     * before the next; fails on any stream refused or not open in time.
     */
    static void open(SseSubscribers streams, List<String> callers, int perCaller, int subscribers, PrintStream log)
            throws InterruptedException {
        for (int from = 0; from < subscribers; from += OPEN_BATCH) {
            int to = Math.min(subscribers, from + OPEN_BATCH);
            for (int i = from; i < to; i++) {
                streams.open(i, callers.get(i / perCaller));
            }
            long deadline = System.currentTimeMillis() + OPEN_DEADLINE_MILLIS;
            while (streams.ready() + streams.failed() < to && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            if (streams.failed() > 0 || streams.ready() < to) {
                throw new IllegalStateException(String.format("live events: of %d streams opened, %d ready, %d refused or"
                                + " broken, %d not answered within %d ms; first problem: %s", to, streams.ready(),
                        streams.failed(), to - streams.ready() - streams.failed(), OPEN_DEADLINE_MILLIS,
                        streams.firstProblem()));
            }
            if (to % 500 == 0 || to == subscribers) {
                log.printf("bench: live events: %d / %d streams open%n", to, subscribers);
            }
        }
    }
}
