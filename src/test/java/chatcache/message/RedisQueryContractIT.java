package chatcache.message;

import chatcache.support.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;

/**
 * The query contract, answered by the Redis route: with Redis holding whole chats (a window of 0:
 * FT.SEARCH and the order index alone), and holding only the newest messages of each chat: the
 * contract's chats (up to a few dozen messages) cross a window of 7 in most cases, so pages are
 * Redis's part joined to MySQL's below the boundary; 64 holds most of them whole. Windows run on
 * RediSearch 2.x only (on 1.x Redis holds whole chats: {@code SearchIndex#supportsWindows}).
 */
class RedisQueryContractIT {
    @Nested
    class WholeChats extends Windowed {
        @Override
        protected TestStores chooseStores() {
            return TestStores.withWindow(0);
        }
    }

    @Nested
    class WindowOf7 extends Windowed {
        @Override
        protected TestStores chooseStores() {
            return TestStores.withWindow(7); // why here: called while the contract's fields are set
        }

        @BeforeEach
        void windowsNeedTwoX() {
            stores.assumeWindows();
        }
    }

    @Nested
    class WindowOf64 extends Windowed {
        @Override
        protected TestStores chooseStores() {
            return TestStores.withWindow(64);
        }

        @BeforeEach
        void windowsNeedTwoX() {
            stores.assumeWindows();
        }
    }

    abstract static class Windowed extends MessageQueryContract {
        @Override
        protected MessageBackend backend() {
            return stores.cache.redisRoute();
        }

        @Override
        protected MessageBackend otherBackend() {
            return stores.cache.mysqlMessages();
        }
    }
}
