package chatcache.redis;

import chatcache.message.NewMessage;
import chatcache.support.TestStores;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A chat's version (what pages kept in memory are reused at) never comes back to a value it had
 * after Redis took changes back: a replica promoted without its primary's last writes, or a
 * restart from an older append-only file. Were it to, a page kept from before could be served for
 * the different state after.
 */
class ChatVersionsIT {
    private static final long CHAT = 5;
    private final TestStores stores = TestStores.get();

    @BeforeEach
    void reset() {
        stores.reset();
    }

    private long version() {
        return Long.parseLong(stores.redisOf(CHAT).call((jedis, keys) -> jedis.get(keys.version(CHAT))));
    }

    @Test
    void aVersionRedisTookBackMovesPastEveryValueItGaveBefore() {
        User alice = stores.user("alice", Role.USER).user();
        List<Long> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stores.cache.messages().post(new NewMessage(CHAT, alice.id(), "before " + i, null));
            before.add(version());
        }
        // what a replica promoted without the last two posts holds
        stores.redisOf(CHAT).run((jedis, keys) -> jedis.set(keys.version(CHAT), Long.toString(before.get(0))));
        for (int i = 0; i < 3; i++) {
            stores.cache.messages().post(new NewMessage(CHAT, alice.id(), "after " + i, null));
            long now = version();
            assertFalse(before.contains(now), "version " + now + " was given before the loss: " + before);
            assertTrue(now > before.get(2), now + " moved past every version given before the loss " + before);
        }
    }
}
