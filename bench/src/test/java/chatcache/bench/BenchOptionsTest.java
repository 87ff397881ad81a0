package chatcache.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's options as the command line gives them: issue #13's live-events options. */
class BenchOptionsTest {

    private static BenchCommand parse(String... args) {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static BenchOptions options(int subscribers, int chats, int rate) {
        return new BenchOptions(List.of(1000), 10_000, List.of(8), 5, 1000, 1000, 10, 20, 0, 0, false, false,
                BenchOptions.CHAT_ID_BASE, 100_000, 32, subscribers, chats, rate);
    }

    @Test
    void liveEventsAreOffByDefault() {
        BenchCommand c = parse();
        assertEquals(0, c.subscribers, "no streams unless asked: existing bench commands are unchanged");
        assertEquals(50, c.subscriberChats);
        assertEquals(200, c.eventPostsPerSecond);
    }

    @Test
    void theLiveEventsOptionsAreRead() {
        BenchCommand c = parse("--subscribers", "1000", "--subscriber-chats", "40", "--event-posts-per-second", "150");
        assertEquals(1000, c.subscribers);
        assertEquals(40, c.subscriberChats);
        assertEquals(150, c.eventPostsPerSecond);
    }

    @Test
    void subscriberChatsHaveIdsOfTheirOwn() {
        BenchOptions o = options(100, 10, 200);
        assertEquals(BenchOptions.CHAT_ID_BASE + BenchOptions.SUBSCRIBER_OFFSET + 3, o.subscriberChatId(3));
        assertEquals(List.of(o.subscriberChatId(0), o.subscriberChatId(1)), LiveEventsSetup.chatIds(options(10, 2, 200)));
        assertTrue(o.subscriberChatId(BenchOptions.MAX_SUBSCRIBER_CHATS) > o.writeChatId() + 1 + 50,
                "above the write chat and the unread row's chats");
    }

    @Test
    void outOfRangeLiveEventsOptionsAreRefused() {
        options(0, 50, 200); // off: the default chats need no subscribers
        options(50, 50, 1);
        assertThrows(IllegalArgumentException.class, () -> options(-1, 50, 200));
        assertThrows(IllegalArgumentException.class, () -> options(10, 11, 200), "a chat without a subscriber");
        assertThrows(IllegalArgumentException.class, () -> options(100, 0, 200));
        assertThrows(IllegalArgumentException.class, () -> options(100, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> options(100_001, 10, 200));
    }

    @Test
    void callersCoverEveryStreamWithinThePerCallerLimit() {
        assertEquals(8, LiveEventsSetup.perCaller(1000, 125));
        assertEquals(8, LiveEventsSetup.perCaller(1001, 126));
        assertEquals(1, LiveEventsSetup.perCaller(3, 3));
    }
}
