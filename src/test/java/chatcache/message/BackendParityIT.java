package chatcache.message;

import chatcache.query.SearchCriteria;
import chatcache.support.TestClock;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized differential test: random users, chats and messages (many sharing a millisecond,
 * ids not in time order), random criteria and random marking fetches through either backend;
 * after every step both backends must return the same messages, in the same order, with the
 * same read flags. Re-run a failure with -Dchatcache.seed=N (the seed is in every message).
 */
class BackendParityIT {
    private static final int CASES = 600;

    private final TestStores stores = TestStores.get();

    @Test
    void bothBackendsAgreeOnRandomCriteria() {
        long seed = Long.getLong("chatcache.seed", new Random().nextLong());
        System.out.println("BackendParityIT seed " + seed + " (re-run with -Dchatcache.seed=" + seed + ")");
        Random random = new Random(seed);
        stores.reset();

        List<User> users = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            users.add(stores.userOnly("user" + i, i == 0 ? Role.API : Role.USER));
        }
        int chats = 4;
        MessageService service = stores.cache.messages();
        MessageBackend mysql = stores.cache.mysqlMessages();
        MessageBackend redis = stores.cache.redisMessages();

        postRandom(random, users, chats, 250);
        int nonEmpty = 0;
        int marked = 0;
        for (int i = 0; i < CASES; i++) {
            String where = "seed " + seed + ", case " + i;
            if (i % 100 == 99) {
                postRandom(random, users, chats, 20);
            }
            Caller caller = random.nextInt(4) == 0 ? Caller.ANONYMOUS : Caller.of(pick(random, users));
            boolean onlyOwn = !caller.isAnonymous() && random.nextInt(5) == 0;
            Long userId = random.nextInt(3) == 0
                    ? (random.nextInt(10) == 0 ? 1_000L + random.nextInt(1000) : pick(random, users).id())
                    : null;
            Integer limit = random.nextInt(6) == 0 ? null : 1 + random.nextInt(random.nextBoolean() ? 10 : SearchCriteria.MAX_LIMIT);
            long chatId = 1 + random.nextInt(chats + 1); // chat chats+1 stays empty
            SearchCriteria criteria = SearchCriteria.of(chatId, limit, onlyOwn, userId, caller);

            List<Message> fromMysql = Pager.page(mysql, criteria).messages();
            List<Message> fromRedis = Pager.page(redis, criteria).messages();
            assertEquals(fromMysql, fromRedis, where + ": " + criteria);
            assertOrdered(fromMysql, where);
            if (!fromMysql.isEmpty()) {
                nonEmpty++;
            }

            if (random.nextInt(3) == 0) {
                MessageBackend through = random.nextBoolean() ? mysql : redis;
                FetchResult fetched = service.fetchFrom(through, criteria, caller);
                assertEquals(fromMysql, fetched.messages(), where + ": a fetch shows the state before marking");
                marked += MessageService.unreadByOthers(fetched.messages(), caller.user()).size();
                stores.cache.readMarks().drain();
            }
        }
        System.out.println("BackendParityIT: " + CASES + " cases, " + nonEmpty + " non-empty, " + marked + " read marks");
        assertTrue(nonEmpty > CASES / 2, "seed " + seed + ": the random cases should mostly find messages");
        assertTrue(marked > 0, "seed " + seed + ": some fetches should have marked messages read");
    }

    /** Posts messages whose times jump back and forth inside a few milliseconds, so ids do not follow time. */
    private void postRandom(Random random, List<User> users, int chats, int count) {
        for (int i = 0; i < count; i++) {
            stores.clock.set(TestClock.START + random.nextInt(60));
            User author = pick(random, users);
            String data = random.nextInt(4) == 0 ? "{\"n\":" + random.nextInt(100) + "}" : null;
            stores.cache.messages().post(new NewMessage(1 + random.nextInt(chats), author.id(),
                    "msg " + i + " " + "ж😀".repeat(random.nextInt(3)), data));
        }
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
