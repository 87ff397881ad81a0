package chatcache.message;

import chatcache.core.Message;
import chatcache.query.Filter;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.support.ExpectedPages;
import chatcache.support.Seeds;
import chatcache.support.TestClock;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized differential test: random users, chats and messages (many sharing a millisecond,
 * ids not in time order), random criteria and random marking fetches through either backend;
 * after every step both backends must return the same pages (messages, order, read flags,
 * hasOlder/hasNewer), and the ids and flags the documented rules give ({@link ExpectedPages}). Re-run a failure with -Dchatcache.seed=N (the seed is in every message).
 */
class BackendParityIT {
    private static final int CASES = 2_000;

    /** The program under test: Redis holding whole chats (0), or a window of each (7 and 64: the chats cross it). */
    private TestStores stores;
    private final List<Message> posted = new ArrayList<>();

    @ParameterizedTest(name = "window {0}")
    @ValueSource(ints = {0, 7, 64})
    void bothBackendsAgreeOnRandomCriteria(int window) {
        stores = TestStores.withWindow(window);
        if (window > 0) {
            stores.assumeWindows();
        }
        long seed = Seeds.announced("BackendParityIT, window " + window);
        Random random = new Random(seed);
        stores.reset();
        posted.clear();

        List<User> users = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            users.add(stores.userOnly("user" + i, i == 0 ? Role.API : Role.USER));
        }
        int chats = 4;
        MessageService service = stores.cache.messages();
        MessageBackend mysql = stores.cache.mysqlMessages();
        MessageBackend redis = stores.cache.redisRoute();

        postRandom(random, users, chats, 250);
        int nonEmpty = 0;
        int marked = 0;
        java.util.Map<String, Integer> sources = new java.util.TreeMap<>();
        for (int i = 0; i < CASES; i++) {
            String where = "window " + window + ", seed " + seed + ", case " + i;
            if (i % 100 == 99) {
                postRandom(random, users, chats, 20);
            }
            if (i % 20 == 7 && !posted.isEmpty()) {
                editOrDeleteRandom(random, users);
            }
            Caller caller = random.nextInt(4) == 0 ? Caller.ANONYMOUS : Caller.of(pick(random, users));
            boolean onlyOwn = !caller.isAnonymous() && random.nextInt(5) == 0;
            List<Filter> filters = randomFilters(random, users, posted);
            Integer limit = random.nextInt(6) == 0 ? null : 1 + random.nextInt(random.nextBoolean() ? 10 : SearchCriteria.MAX_LIMIT);
            long chatId = 1 + random.nextInt(chats + 1); // chat chats+1 stays empty
            SearchCriteria criteria = SearchCriteria.of(chatId, limit, onlyOwn, filters, randomPosition(random, chatId),
                    caller.user().map(User::id));

            Optional<Page> expected = ExpectedPages.of(posted, criteria);
            if (expected.isEmpty()) {
                assertThrows(AnchorNotFoundException.class, () -> Pager.page(mysql, criteria), where);
                assertThrows(AnchorNotFoundException.class, () -> Pager.page(redis, criteria), where);
                continue;
            }
            Page fromMysql = Pager.page(mysql, criteria);
            Page fromRedis = Pager.page(redis, criteria);
            assertEquals(fromMysql, fromRedis, where + ": " + criteria);
            assertEquals(ids(expected.get().messages()), ids(fromMysql.messages()), where + ": " + criteria);
            assertEquals(expected.get().hasOlder(), fromMysql.hasOlder(), where + ": hasOlder of " + criteria);
            assertEquals(expected.get().hasNewer(), fromMysql.hasNewer(), where + ": hasNewer of " + criteria);
            assertOrdered(fromMysql.messages(), where);
            if (!fromMysql.messages().isEmpty()) {
                nonEmpty++;
            }

            if (random.nextInt(3) == 0) {
                MessageBackend through = random.nextBoolean() ? mysql : redis;
                FetchResult fetched = service.fetchFrom(through, criteria, caller);
                assertEquals(fromMysql.messages(), fetched.messages(), where + ": a fetch shows the state before marking");
                if (through == redis) {
                    sources.merge(fetched.source(), 1, Integer::sum);
                }
                List<Long> marks = MessageService.unreadByOthers(fetched.messages(), caller.user());
                marked += marks.size();
                posted.replaceAll(m -> marks.contains(m.id()) ? m.withRead(true) : m);
                stores.cache.readMarks().drain();
            }
        }
        System.out.println("BackendParityIT, window " + window + ": " + CASES + " cases, " + nonEmpty + " non-empty, "
                + marked + " read marks, Redis-route pages by source " + sources);
        // why two fifths: about 53 % of the cases find messages (1,062 and 998 of 2,000 seen); half was a coin's edge
        assertTrue(nonEmpty > CASES * 2 / 5, "seed " + seed + ": the random cases should mostly find messages");
        assertTrue(marked > 0, "seed " + seed + ": some fetches should have marked messages read");
        for (long chat = 1; chat <= chats; chat++) {
            long c = chat;
            int held = stores.cache.redisMessages().orderedIds(c).size();
            assertTrue(window == 0 ? held == posted.stream().filter(m -> m.chatId() == c).count() : held <= window,
                    "window " + window + ": Redis holds " + held + " messages of chat " + chat);
        }
        if (window == 7) {
            assertTrue(sources.getOrDefault("redis+mysql", 0) > 0 && sources.getOrDefault("mysql", 0) > 0,
                    "seed " + seed + ": with a window of 7, pages should cross it: " + sources);
        } else if (window == 0) {
            assertEquals(java.util.Set.of("redis"), sources.keySet(), "seed " + seed + ": whole chats are Redis's alone");
        }
    }

    /**
     * Any combination of the filters: no author, one, or up to four (sometimes one who never
     * posts), a time range over the 60 ms the messages are spread on (either bound open, bounds
     * on and between messages' milliseconds), a read state, and 1..3 words of the vocabulary
     * (spelled in any of its variants, so that a query and a text often meet in another case,
     * accent or width), and unread by a member (their marker none, at a message, or between).
     */
    private static List<Filter> randomFilters(Random random, List<User> users, List<Message> posted) {
        List<Filter> filters = new ArrayList<>();
        int authors = random.nextInt(3) == 0 ? 1 + random.nextInt(random.nextBoolean() ? 1 : 4) : 0;
        if (authors > 0) {
            java.util.Set<Long> ids = new java.util.TreeSet<>();
            while (ids.size() < authors) {
                ids.add(random.nextInt(10) == 0 ? 1_000L + random.nextInt(1000) : pick(random, users).id());
            }
            filters.add(new Filter.Authors(List.copyOf(ids)));
        }
        if (random.nextInt(3) == 0) {
            long since = random.nextInt(3) == 0 ? Long.MIN_VALUE : TestClock.START - 2 + random.nextInt(64);
            long until = random.nextInt(3) == 0 ? Long.MAX_VALUE : Math.max(since, TestClock.START - 2) + 1 + random.nextInt(40);
            filters.add(new Filter.TimeRange(since, until));
        }
        if (random.nextInt(4) == 0) {
            filters.add(new Filter.Read(random.nextBoolean()));
        }
        if (random.nextInt(5) == 0) {
            // a member's marker: none yet, at a posted message (often inside a millisecond's tie), or between
            chatcache.query.OrderKey marker = random.nextInt(4) == 0 || posted.isEmpty() ? null
                    : random.nextInt(4) == 0 ? new chatcache.query.OrderKey(TestClock.START + random.nextInt(64), 1 + random.nextInt(2_000))
                    : orderKeyOf(posted.get(random.nextInt(posted.size())));
            filters.add(new Filter.UnreadBy(pick(random, users).id(), marker));
        }
        if (random.nextInt(3) == 0) {
            String query = randomText(random, 1 + random.nextInt(3));
            if (!chatcache.query.Words.of(query).isEmpty() && chatcache.query.Words.of(query).size() <= 5) {
                filters.add(Filter.Text.of(query));
            }
        }
        return filters;
    }

    private static chatcache.query.OrderKey orderKeyOf(Message m) {
        return new chatcache.query.OrderKey(m.createdAt(), m.id());
    }

    /** Words in several scripts and spellings: case, accents, width, ligatures, apostrophes, ideographs, emoji. */
    private static final String[] VOCABULARY = {"привет", "Привет", "ПРИВЕТ", "мир", "café", "cafe", "CAFÉ", "don't",
        "don’t", "e-mail", "email", "東", "東京", "京", "tower", "Straße", "STRASSE", "😀", "👍🏽", "ж", "Σοφία", "σοφια",
        "١٢٣", "ＡＢＣ", "abc", "İstanbul", "istanbul", "ﬁne", "fine", "naïve", "naive", "x", "42", "tied", "₂", "a_b"};
    private static final String[] SEPARATORS = {" ", ", ", "! ", " — ", "\n", "…", "/", "'", "-", "."};

    private static String randomText(Random random, int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                text.append(SEPARATORS[random.nextInt(SEPARATORS.length)]);
            }
            text.append(VOCABULARY[random.nextInt(VOCABULARY.length)]);
        }
        return text.toString();
    }

    private void postRandom(Random random, List<User> users, int chats, int count) {
        for (int i = 0; i < count; i++) {
            stores.clock.set(TestClock.START + random.nextInt(60));
            User author = pick(random, users);
            String data = random.nextInt(4) == 0 ? "{\"n\":" + random.nextInt(100) + "}" : null;
            posted.add(stores.cache.messages().post(new NewMessage(1 + random.nextInt(chats), author.id(),
                    "msg " + i + " " + randomText(random, 1 + random.nextInt(6)), data)));
        }
    }

    /** Edits or deletes a random message, through the same service the HTTP API uses. */
    private void editOrDeleteRandom(Random random, List<User> users) {
        Message m = pick(random, posted);
        User author = users.stream().filter(u -> u.id() == m.userId()).findFirst().orElseThrow();
        Message current = Pager.page(stores.cache.mysqlMessages(), new SearchCriteria(m.chatId(), Optional.of(m.userId()), 1,
                new Position.Around(m.id()))).messages().get(0);
        if (random.nextBoolean()) {
            Message edited = stores.cache.messages().edit(m.chatId(), m.id(), "edited " + randomText(random, 1 + random.nextInt(4)) + " ✏️", author, true);
            assertEquals(current.read(), edited.read());
            posted.replaceAll(p -> p.id() == m.id() ? edited : p);
        } else {
            stores.cache.messages().delete(m.chatId(), m.id(), author);
            posted.removeIf(p -> p.id() == m.id());
        }
    }

    /** Mostly anchors in the chat, sometimes in another chat or unknown, which must be "not found" on both. */
    private Position randomPosition(Random random, long chatId) {
        int kind = random.nextInt(4);
        if (kind == 0 || posted.isEmpty()) {
            return Position.LATEST;
        }
        List<Message> inChat = posted.stream().filter(m -> m.chatId() == chatId).toList();
        long anchor;
        int pick = random.nextInt(20);
        if (pick == 0 || inChat.isEmpty()) {
            anchor = pick(random, posted).id(); // often another chat's message
        } else if (pick == 1) {
            anchor = posted.get(posted.size() - 1).id() + 1 + random.nextInt(1000); // no such message
        } else {
            anchor = pick(random, inChat).id();
        }
        return switch (kind) {
            case 1 -> new Position.Before(anchor);
            case 2 -> new Position.After(anchor);
            default -> new Position.Around(anchor);
        };
    }

    /** Walks random chats and filters down and up on both backends: no gap, no duplicate, same pages. */
    @ParameterizedTest(name = "window {0}")
    @ValueSource(ints = {0, 7, 64})
    void walksOfWholeChatsAgreeAndCoverEveryMessageOnce(int window) {
        stores = TestStores.withWindow(window);
        if (window > 0) {
            stores.assumeWindows();
        }
        long seed = Seeds.announced("BackendParityIT walks, window " + window);
        Random random = new Random(seed);
        stores.reset();
        posted.clear();
        List<User> users = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            users.add(stores.userOnly("walker" + i, Role.USER));
        }
        postRandom(random, users, 3, 240);
        MessageBackend mysql = stores.cache.mysqlMessages();
        MessageBackend redis = stores.cache.redisRoute();
        for (int walk = 0; walk < 30; walk++) {
            long chatId = 1 + random.nextInt(3);
            List<Filter> author = randomFilters(random, users, posted);
            int limit = 1 + random.nextInt(random.nextBoolean() ? 4 : 30);
            String where = "window " + window + ", seed " + seed + ", walk " + walk + " of chat " + chatId + " by " + author + " limit " + limit;
            // every matching message, newest first (a chat may hold more than one page of 100)
            SearchCriteria all = new SearchCriteria(chatId, author, 1, Position.LATEST);
            List<Long> expected = ids(posted.stream().filter(all::matches).sorted(ExpectedPages.NEWEST_FIRST).toList());
            if (expected.isEmpty()) {
                continue;
            }
            List<Long> down = new ArrayList<>();
            Position position = Position.LATEST;
            while (true) {
                SearchCriteria c = new SearchCriteria(chatId, author, limit, position);
                Page page = Pager.page(mysql, c);
                assertEquals(page, Pager.page(redis, c), where + " at " + position);
                down.addAll(ids(page.messages()));
                if (!page.hasOlder()) {
                    break;
                }
                position = new Position.Before(down.get(down.size() - 1));
            }
            assertEquals(expected, down, where + ": walking down");

            List<Long> up = new ArrayList<>(List.of(expected.get(expected.size() - 1)));
            position = new Position.After(up.get(0));
            while (true) {
                SearchCriteria c = new SearchCriteria(chatId, author, limit, position);
                Page page = Pager.page(mysql, c);
                assertEquals(page, Pager.page(redis, c), where + " at " + position);
                List<Long> pageIds = new ArrayList<>(ids(page.messages()));
                java.util.Collections.reverse(pageIds);
                up.addAll(pageIds);
                if (!page.hasNewer()) {
                    break;
                }
                position = new Position.After(up.get(up.size() - 1));
            }
            java.util.Collections.reverse(up);
            assertEquals(expected, up, where + ": walking up");
        }
    }

    private static List<Long> ids(List<Message> messages) {
        return messages.stream().map(Message::id).toList();
    }

    private static void assertOrdered(List<Message> messages, String where) {
        for (int i = 1; i < messages.size(); i++) {
            assertTrue(MessageQueryContract.NEWEST_FIRST.compare(messages.get(i - 1), messages.get(i)) < 0,
                    where + ": not newest first at position " + i);
        }
    }

    private static <T> T pick(Random random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }
}
