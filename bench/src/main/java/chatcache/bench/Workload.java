package chatcache.bench;

import chatcache.query.OrderKey;
import chatcache.query.SearchCriteria;

/**
 * One kind of request the bench repeats: a name, what it means, and the JSON body of
 * {@code POST /chat/{id}/messages} (or of {@code POST /chat/{id}/message} for {@code write});
 * every read answer must hold {@code expectedMessages} messages. {@code authorId} (0 = none),
 * {@code anchor} (null = the newest page) and {@code depth} say the same for the raw baselines.
 * {@code anonymous}: the Redis route asks without a token (an anonymous caller marks nothing),
 * for the rows whose answer is the read state itself.
 */
public record Workload(String name, String description, String body, int expectedMessages, long authorId,
                       OrderKey anchor, long anchorId, int depth, boolean write, boolean rawBaseline,
                       boolean anonymous) {

    /** A workload the raw baselines can mirror (one author or none, one anchor or none). */
    public Workload(String name, String description, String body, int expectedMessages, long authorId,
                    OrderKey anchor, long anchorId, int depth, boolean write) {
        this(name, description, body, expectedMessages, authorId, anchor, anchorId, depth, write, true, false);
    }

    /** A filter row of issue #10: no raw baseline mirrors it. */
    private static Workload filtered(String name, String description, String body, int expectedMessages, int depth,
                                     boolean anonymous) {
        return new Workload(name, description, body, expectedMessages, 0, null, 0, depth, false, false, anonymous);
    }

    private static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", 100 * share);
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
        return filtered("authors", "the newest " + limit + " messages of users " + list + " (" + percent(share)
                + " of the chat)", "{\"limit\":" + limit + ",\"userIds\":[" + list + "]}", limit, 0, false);
    }

    /** The newest page of a time window in the middle of the chat (issue #10's "since" row); no raw baseline. */
    static Workload since(int limit, long since, long until, int depth) {
        return filtered("since", "the newest " + limit + " messages created in [" + since + ", " + until
                + ") ms, " + depth + " newer above it", "{\"limit\":" + limit + ",\"since\":" + since + ",\"until\":"
                + until + "}", limit, depth, false);
    }

    /**
     * The newest unread page (issue #10's "read" filter, where about half the messages are unread:
     * {@code newerHalfShare} measured), {@code expected} messages.
     */
    static Workload unreadNewest(int limit, long apiAuthor, double newerHalfShare, int expected) {
        return filtered("unread 50%", "the newest " + limit + " unread messages; unread are the messages of the"
                + " MySQL route's API user " + apiAuthor + " but those on the pages the Redis route's USER rows read ("
                + percent(newerHalfShare) + " of the newer half of the chat), everything else is read; the Redis"
                + " route asks as an anonymous caller, which marks nothing",
                "{\"limit\":" + limit + ",\"read\":false}", expected, 0, true);
    }

    /** The unread page below an anchor 75 % deep, where about 5 % of the messages are unread. */
    static Workload unreadDeep(int limit, long anchorId, int depth, long apiAuthor, double olderShare, int expected) {
        String page = expected < limit ? "the " + expected + " unread messages (all there are)" : limit + " unread messages";
        return filtered("unread 5%", page + " before message " + anchorId + " (" + depth + " newer above it), where "
                + percent(olderShare) + " of the messages (those of API user " + apiAuthor + ") are unread; the Redis"
                + " route asks as an anonymous caller, which marks nothing",
                "{\"limit\":" + limit + ",\"read\":false,\"before\":" + anchorId + "}", expected, depth, true);
    }

    /** The newest page of a word in 1 % of messages. */
    static Workload wordsCommon(int limit, long matches, long chatMessages, int expected) {
        return filtered("words 1%", "the newest " + expected + " messages holding the word \"" + ChatText.COMMON_MARKER
                + "\" (" + matches + " in the chat, " + percent((double) matches / Math.max(1, chatMessages)) + ")",
                "{\"limit\":" + limit + ",\"text\":\"" + ChatText.COMMON_MARKER + "\"}", expected, 0, false);
    }

    /** The newest page (default size) of a word in 0.01 % of messages: none in a chat of 4,321 messages or fewer. */
    static Workload wordsRare(long matches, int expected) {
        return filtered("words 0.01%", (matches == 0 ? "no message holds" : "the newest " + expected + " of the "
                + matches + " messages holding") + " the word \"" + ChatText.RARE_MARKER + "\" (one in 10,000;"
                + " the page's size is the API's default, " + SearchCriteria.DEFAULT_LIMIT + ")",
                "{\"text\":\"" + ChatText.RARE_MARKER + "\"}", expected, 0, false);
    }

    /** The newest page of two ordinary words that a few % of messages hold both of. */
    static Workload twoWords(int limit, long matches, long chatMessages, int expected) {
        return filtered("two words", "the newest " + expected + " messages holding both \"" + ChatText.TWO_WORDS.replace(" ",
                "\" and \"") + "\" (" + matches + " in the chat, " + percent((double) matches / Math.max(1, chatMessages))
                + ", measured after loading)", "{\"limit\":" + limit + ",\"text\":\"" + ChatText.TWO_WORDS + "\"}",
                expected, 0, false);
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
