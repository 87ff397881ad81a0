package chatcache.redis;

import chatcache.query.SearchCriteria;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedisQueryMapperTest {

    @Test
    void aChatBecomesATagMatchSortedByTheOrderKey() {
        assertEquals(List.of("idx:messages", "@chatId:{5}", "SORTBY", "sk", "DESC", "LIMIT", "0", "20"),
                RedisQueryMapper.toSearchArgs("idx:messages", new SearchCriteria(5, Optional.empty(), 20)));
    }

    @Test
    void anAuthorAddsASecondTagMatch() {
        assertEquals("@chatId:{5} @userId:{7}",
                RedisQueryMapper.toSearchArgs("idx:messages", new SearchCriteria(5, Optional.of(7L), 3)).get(1));
    }

    @Test
    void largeIdsAreWrittenInFull() {
        assertEquals("@chatId:{9223372036854775807} @userId:{9223372036854775806}",
                RedisQueryMapper.toSearchArgs("i", new SearchCriteria(Long.MAX_VALUE, Optional.of(Long.MAX_VALUE - 1), 1)).get(1));
    }
}
