package chatcache.redis;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KeySpaceTest {
    /** Every name a group has, for chat 12, message 34 and user 56. */
    private static List<String> names(KeySpace k) {
        return List.of(k.message(34), k.index(), k.pendingRead(34), k.deleted(34), k.order(12), k.order(12, 56),
                k.chat(12), k.userChats(56), k.held(12), k.belowEpoch(12), k.version(12), k.events(12), k.lock(12),
                k.complete(), k.rebuilding(), k.loading(), k.chatReads(), k.followed(), k.readMarks(), k.barrier());
    }

    @Test
    void oneRedisKeepsTheNamesItAlwaysHad() {
        // why spelled out: a cache written by the previous version is read by this one (layout 6)
        assertEquals(List.of("messages:34", "idx:messages", "chatcache:read:34", "chatcache:deleted:34", "order:chat:12",
                "order:chat:12:user:56", "chats:12", "user-chats:56", "held:12", "chatcache:below-epoch:12",
                "chatcache:version:12", "chatcache:events:12", "chatcache:lock:chat:12", "chatcache:complete",
                "chatcache:rebuilding", "chatcache:loading", "chatcache:chat-reads", "chatcache:followed",
                "chatcache:read-marks", "chatcache:replication-barrier"), names(KeySpace.STANDALONE));
    }

    @Test
    void everyNameOfAGroupIsInTheGroupsSlot() {
        KeySpace g = KeySpace.group(7);
        assertEquals("{g7}", g.tag());
        Set<Integer> slots = names(g).stream().map(JedisClusterCRC16::getSlot).collect(Collectors.toSet());
        assertEquals(Set.of(JedisClusterCRC16.getSlot("{g7}")), slots, names(g).toString());
        // buckets of an order index are its name and a suffix (order-index.lua): the same slot
        assertEquals(JedisClusterCRC16.getSlot(g.order(12)), JedisClusterCRC16.getSlot(g.order(12) + "|abc"));
    }

    @Test
    void namesAreReadBackPerGroup() {
        KeySpace g = KeySpace.group(3);
        assertEquals(34, g.messageId(g.message(34)));
        assertEquals(12, g.chatId(g.chat(12)));
        assertEquals(12, g.eventsChatId(g.events(12)));
        assertEquals(34, KeySpace.STANDALONE.messageId("messages:34"));
        assertThrows(IllegalArgumentException.class, () -> g.messageId(KeySpace.group(4).message(34)));
        assertThrows(IllegalArgumentException.class, () -> KeySpace.STANDALONE.chatId(g.chat(12)));
    }

    @Test
    void aChatIsInTheGroupOfItsIdModuloTheCount() {
        ChatGroups groups = ChatGroups.withCount(4);
        assertEquals(KeySpace.group(1), groups.of(9));
        assertEquals(KeySpace.group(0), groups.of(8));
        assertEquals(4, groups.all().size());
        assertEquals(KeySpace.STANDALONE, ChatGroups.standalone().of(9));
        assertEquals(List.of(KeySpace.STANDALONE), ChatGroups.withCount(1).all());
    }
}
