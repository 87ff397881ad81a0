package chatcache.query;

/** Where in the chat a page is taken: the newest messages, or next to an anchor message. */
public sealed interface Position {
    /** The newest messages. */
    record Latest() implements Position {
    }

    /** The messages just older than the anchor, the anchor excluded. */
    record Before(long anchorId) implements Position {
    }

    /** The messages just newer than the anchor, the anchor excluded. */
    record After(long anchorId) implements Position {
    }

    /** A window centred on the anchor, the anchor included if it matches the filters. */
    record Around(long anchorId) implements Position {
    }

    Position LATEST = new Latest();
}
