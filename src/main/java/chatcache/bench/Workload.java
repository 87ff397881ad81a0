package chatcache.bench;

import chatcache.query.OrderKey;

/**
 * One kind of request the bench repeats: a name, what it means, and the JSON body of
 * {@code POST /chat/{id}/messages} (or of {@code POST /chat/{id}/message} for {@code write});
 * every read answer must hold {@code expectedMessages} messages. {@code authorId} (0 = none),
 * {@code anchor} (null = the newest page) and {@code depth} say the same for the raw baselines.
 */
public record Workload(String name, String description, String body, int expectedMessages, long authorId,
                       OrderKey anchor, long anchorId, int depth, boolean write, boolean rawBaseline) {

    /** A workload the raw baselines can mirror (one author or none, one anchor or none). */
    public Workload(String name, String description, String body, int expectedMessages, long authorId,
                    OrderKey anchor, long anchorId, int depth, boolean write) {
        this(name, description, body, expectedMessages, authorId, anchor, anchorId, depth, write, true);
    }

    /** The newest page. */
    static Workload latest(int limit) {
        return new Workload("latest", "the newest " + limit + " messages", "{\"limit\":" + limit + "}", limit,
                0, null, 0, 0, false);
    }

    /** The newest page of one author. */
    static Workload author(int limit, long authorId, long authorMessages, long chatMessages) {
        return new Workload("author", "the newest " + limit + " messages of user " + authorId + " ("
                + String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * authorMessages / Math.max(1, chatMessages))
                + " of the chat)", "{\"limit\":" + limit + ",\"userId\":" + authorId + "}", limit,
                authorId, null, 0, 0, false);
    }

    /** The page just older than an anchor that has {@code depth} newer messages above it. */
    static Workload deep(int limit, int depth, long anchorId, OrderKey anchor) {
        return new Workload("deep", limit + " messages before message " + anchorId + " (" + depth + " newer above it)",
                "{\"limit\":" + limit + ",\"before\":" + anchorId + "}", limit, 0, anchor, anchorId, depth, false);
    }

    /** The newest page of any of several authors (issue #10's "authors" row); no raw baseline. */
    static Workload authors(int limit, java.util.List<Long> ids, double share) {
        String list = ids.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
        return new Workload("authors", "the newest " + limit + " messages of users " + list + " ("
                + String.format(java.util.Locale.ROOT, "%.1f%%", 100 * share) + " of the chat)",
                "{\"limit\":" + limit + ",\"userIds\":[" + list + "]}", limit, 0, null, 0, 0, false, false);
    }

    /** The newest page of a time window in the middle of the chat (issue #10's "since" row); no raw baseline. */
    static Workload since(int limit, long since, long until, int depth) {
        return new Workload("since", "the newest " + limit + " messages created in [" + since + ", " + until
                + ") ms, " + depth + " newer above it", "{\"limit\":" + limit + ",\"since\":" + since + ",\"until\":"
                + until + "}", limit, 0, null, 0, depth, false, false);
    }

    /** Posting one ~80-character message (USER token): 201 once both stores hold it. */
    static Workload posting() {
        return new Workload("write", "POST /chat/{id}/message of an 80-character message",
                "{\"message\":\"Bench write: the deploy is done, can you check the logs again please? Thanks a lot!\"}",
                0, 0, null, 0, 0, true);
    }

    String path(long chatId) {
        return write ? "/chat/" + chatId + "/message" : "/chat/" + chatId + "/messages";
    }
}
