package chatcache.redis;

import chatcache.query.Filter;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedisQueryMapperTest {
    private static final List<String> KEYS = List.of("messages:9", "messages:4");

    @Test
    void aChatSliceBecomesATagMatchOverThePagesHashes() {
        Slice slice = new Slice(5, Optional.empty(), Slice.Direction.OLDER, Optional.empty(), 21);
        assertEquals(List.of("idx:messages", "@chatId:{5}", "INKEYS", "2", "messages:9", "messages:4",
                        "RETURN", "6", "chatId", "userId", "message", "createdAt", "data", "read", "LIMIT", "0", "2"),
                RedisQueryMapper.toSearchArgs("idx:messages", slice, KEYS, true));
    }

    @Test
    void readAndWordsAreTagMatchesAndATimeRangeIsNarrowedToTheWalk() {
        Slice slice = new Slice(5, List.of(new Filter.Read(false), Filter.Text.of("Привет, МИР"),
                new Filter.TimeRange(100, 200)), Slice.Direction.OLDER, Optional.empty(), 3);
        assertEquals("@chatId:{5} @read:{0} @words:{мир} @words:{привет} @createdAt:[100 199]",
                RedisQueryMapper.toSearchArgs("idx:messages", slice, KEYS, true).get(1));
        assertEquals(List.of("idx:messages", "@chatId:{5} @read:{0} @words:{мир} @words:{привет} @createdAt:[100 150]",
                        "RETURN", "1", "createdAt", "LIMIT", "0", "1000"),
                RedisQueryMapper.candidateArgs("idx:messages", slice, Long.MIN_VALUE, 150, 1000, true));
    }

    @Test
    void whereTheIndexLagsOnReadStateUnreadIsASupersetAndReadIsTestedOnTheHashes() {
        Slice unread = new Slice(5, List.of(new Filter.Read(false)), Slice.Direction.OLDER, Optional.empty(), 3);
        Slice read = new Slice(5, List.of(new Filter.Read(true)), Slice.Direction.OLDER, Optional.empty(), 3);
        assertEquals("@chatId:{5} @read:{0}", RedisQueryMapper.toSearchArgs("i", unread, KEYS, false).get(1));
        assertEquals("@chatId:{5}", RedisQueryMapper.toSearchArgs("i", read, KEYS, false).get(1));
        assertEquals(List.of("i", "@chatId:{5} @createdAt:[1 2]", "RETURN", "2", "createdAt", "read", "LIMIT", "0", "9"),
                RedisQueryMapper.candidateArgs("i", read, 1, 2, 9, false));
    }

    @Test
    void anAuthorAddsASecondTagMatch() {
        Slice slice = new Slice(5, Optional.of(7L), Slice.Direction.NEWER, Optional.of(new OrderKey(1, 2)), 4);
        assertEquals("@chatId:{5} @userId:{7}", RedisQueryMapper.toSearchArgs("idx:messages", slice, KEYS, true).get(1));
    }

    @Test
    void largeIdsAreWrittenInFull() {
        Slice slice = new Slice(Long.MAX_VALUE, Optional.of(Long.MAX_VALUE - 1), Slice.Direction.OLDER, Optional.empty(), 1);
        assertEquals("@chatId:{9223372036854775807} @userId:{9223372036854775806}",
                RedisQueryMapper.toSearchArgs("i", slice, KEYS, true).get(1));
    }

    @Test
    void unreadByAMemberExcludesTheirMessagesLastAndStartsAtTheMarkersMillisecond() {
        // why last: RediSearch negates everything after a minus (see RediSearchQuery.render)
        Slice slice = new Slice(5, List.of(new Filter.UnreadBy(7, new OrderKey(150, 3)), new Filter.TimeRange(100, 200)),
                Slice.Direction.OLDER, Optional.empty(), 3);
        assertEquals("@chatId:{5} @createdAt:[150 199] -@userId:{7}",
                RedisQueryMapper.toSearchArgs("i", slice, KEYS, true).get(1));
        Slice noMarker = new Slice(5, List.of(new Filter.UnreadBy(7, null)), Slice.Direction.OLDER, Optional.empty(), 3);
        assertEquals("@chatId:{5} -@userId:{7}", RedisQueryMapper.toSearchArgs("i", noMarker, KEYS, true).get(1));
    }
}
