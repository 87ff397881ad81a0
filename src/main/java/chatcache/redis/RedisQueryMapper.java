package chatcache.redis;

import chatcache.query.MessageField;
import chatcache.query.SearchCriteria;

import java.util.List;

/** SearchCriteria to the arguments of FT.SEARCH, in protocol order. */
final class RedisQueryMapper {
    private RedisQueryMapper() {
    }

    static List<String> toSearchArgs(String index, SearchCriteria criteria) {
        RediSearchQuery query = new RediSearchQuery().tagEquals(MessageField.CHAT_ID, criteria.chatId());
        criteria.authorId().ifPresent(author -> query.tagEquals(MessageField.USER_ID, author));
        return List.of(index, query.render(),
                "SORTBY", MessageField.SORT_KEY.redisField(), "DESC",
                "LIMIT", "0", Integer.toString(criteria.limit()));
    }
}
