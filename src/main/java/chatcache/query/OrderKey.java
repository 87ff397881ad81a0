package chatcache.query;

/** A message's place in {@link MessageOrder}: its creation millisecond, then its id. */
public record OrderKey(long createdAt, long id) implements Comparable<OrderKey> {

    /** The same place as one sortable string (see {@link MessageOrder#sortKey}). */
    public String sortKey() {
        return MessageOrder.sortKey(createdAt, id);
    }

    public static OrderKey ofSortKey(String sortKey) {
        return MessageOrder.parse(sortKey);
    }

    @Override
    public int compareTo(OrderKey o) {
        int byTime = Long.compare(createdAt, o.createdAt);
        return byTime != 0 ? byTime : Long.compare(id, o.id);
    }
}
