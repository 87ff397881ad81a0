package chatcache.redis;

import chatcache.query.OrderKey;
import chatcache.query.Slice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisQueryMapperTest {
    private static final RedisQueryMapper.Window WINDOW = new RedisQueryMapper.Window(1000, 2000, 3, 21);

    @Test
    void aChatSliceBecomesATagMatchInATimeWindowSortedByTheOrderKey() {
        Slice slice = new Slice(5, Optional.empty(), Slice.Direction.OLDER, Optional.empty(), 21);
        assertEquals(List.of("idx:messages", "@chatId:{5} @createdAt:[1000 2000]", "SORTBY", "sk", "DESC", "LIMIT", "3", "21"),
                RedisQueryMapper.toSearchArgs("idx:messages", slice, WINDOW));
    }

    @Test
    void anAuthorAddsASecondTagMatch() {
        Slice slice = new Slice(5, Optional.of(7L), Slice.Direction.NEWER, Optional.of(new OrderKey(1, 2)), 4);
        assertEquals("@chatId:{5} @userId:{7} @createdAt:[1000 2000]",
                RedisQueryMapper.toSearchArgs("idx:messages", slice, WINDOW).get(1));
    }

    @Test
    void largeIdsAreWrittenInFull() {
        Slice slice = new Slice(Long.MAX_VALUE, Optional.of(Long.MAX_VALUE - 1), Slice.Direction.OLDER, Optional.empty(), 1);
        assertEquals("@chatId:{9223372036854775807} @userId:{9223372036854775806} @createdAt:[1000 2000]",
                RedisQueryMapper.toSearchArgs("i", slice, WINDOW).get(1));
    }

    @Test
    void theEndOfAMillisecondIsAfterEverySortKeyInIt() {
        String key = new OrderKey(1234, 5).sortKey();
        assertTrue(new OrderKey(1234, Long.MAX_VALUE).sortKey().compareTo(OrderSets.endOfMillisecond(key)) < 0);
        assertTrue(new OrderKey(1235, 1).sortKey().compareTo(OrderSets.endOfMillisecond(key)) > 0);
    }
}
