package chatcache.bench;

/**
 * One kind of request the bench repeats: a name, what it means, and the JSON body of
 * {@code POST /chat/{id}/messages}; every answer must hold {@code expectedMessages} messages.
 * More workloads (authors, after/around, other depths) are more instances of this.
 */
public record Workload(String name, String description, String body, int expectedMessages) {

    /** The newest page. */
    static Workload latest(int limit) {
        return new Workload("latest", "the newest " + limit + " messages", "{\"limit\":" + limit + "}", limit);
    }

    /** The page just older than an anchor that has {@code depth} newer messages above it. */
    static Workload deep(int limit, int depth, long anchorId) {
        return new Workload("deep", limit + " messages before message " + anchorId + " (" + depth + " newer above it)",
                "{\"limit\":" + limit + ",\"before\":" + anchorId + "}", limit);
    }
}
