package chatcache.message;

import chatcache.query.SearchCriteria;

import java.util.Collection;
import java.util.List;

/** One store that can answer {@link SearchCriteria}: MySQL or Redis. */
public interface MessageBackend {

    /** "mysql" or "redis", as reported to clients in {@code source}. */
    String name();

    /** The messages matching the criteria, in {@link chatcache.query.MessageOrder}. */
    List<Message> search(SearchCriteria criteria);

    /**
     * Marks these messages read in this store, in one transaction or statement, and hands the
     * marks on so that they reach the other store as well.
     */
    void markRead(Collection<Long> ids);
}
