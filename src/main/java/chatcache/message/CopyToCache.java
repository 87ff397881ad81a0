package chatcache.message;

import java.util.Collection;
import java.util.List;

/**
 * The Redis half of a change committed to MySQL, done at once by the request that made it
 * (implemented in chatcache.replication, which owns keeping the copy in step). A copy that fails
 * is no error for the caller: the change waits in the outbox and the relay copies it later.
 */
public interface CopyToCache {
    /** New messages. */
    void posted(List<Stored> committed);

    /** An edited text; settles on MySQL's newest text if another edit overtook this one. */
    void edited(Stored edited);

    /** A deleted message. */
    void deleted(Stored deleted);

    /** Read marks made in MySQL on messages of one chat ({@code outboxIds}: their outbox rows). */
    void marked(long chatId, Collection<Long> ids, List<Long> outboxIds);
}
