package chatcache.query;

/** Where in the chat a page is taken: the newest messages, or next to an anchor message. */
public sealed interface Position {
    /** A position next to an anchor message. */
    sealed interface Anchored extends Position {
        long anchorId();
    }

    /** The newest messages. */
    record Latest() implements Position {
    }

    /** The messages just older than the anchor, the anchor excluded. */
    record Before(long anchorId) implements Anchored {
    }

    /** The messages just newer than the anchor, the anchor excluded. */
    record After(long anchorId) implements Anchored {
    }

    /** A window centred on the anchor, the anchor included if it matches the filters. */
    record Around(long anchorId) implements Anchored {
    }

    Position LATEST = new Latest();
}
