package chatcache.message;

import java.util.Collection;

/** A store that receives read marks made on the other store. Applying the same marks twice is harmless. */
public interface ReadMarkReplica {
    void applyReadMarks(Collection<Long> ids);
}
