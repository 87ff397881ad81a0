package chatcache.redis;

import chatcache.core.BackendUnavailableException;
import chatcache.message.Explain;
import chatcache.query.Slice;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The commands the Redis route sends for the pager's steps (explain): the anchor's hash with the
 * completeness check in one pipeline; for a slice, one order-index call per list walked and,
 * when it named any message, the FT.SEARCH over those (none for one list without a filter only
 * RediSearch can test: that call returns the messages too).
 */
final class SliceExplain implements Explain.Translator<List<String>> {
    private final MessageSlices slices;
    private final IndexSearch search;

    SliceExplain(MessageSlices slices, IndexSearch search) {
        this.slices = slices;
        this.search = search;
    }

    @Override
    public List<List<String>> find(long chatId, long messageId) {
        KeySpace keys = search.keys(chatId);
        return List.of(List.of("HGETALL", keys.message(messageId)), List.of("EXISTS", keys.complete()),
                List.of("SISMEMBER", keys.rebuilding(), Long.toString(chatId)), List.of("GET", keys.held(chatId)));
    }

    @Override
    public List<List<String>> slice(Slice slice, List<Long> answerIds) {
        if (OrderWalk.hasFilterWithoutOrder(slice)) {
            return walked(slice);
        }
        Optional<OrderWalk.WalkStart> start = OrderWalk.startOf(slice);
        if (start.isEmpty()) {
            return List.of();
        }
        boolean fetch = MessageSlices.fetchesMessages(slice);
        List<List<String>> commands = new ArrayList<>(OrderWalk.nearestCommands(search.keys(slice.chatId()), slice, start.get(), slice.count(), fetch));
        if (!answerIds.isEmpty() && !fetch) {
            List<String> ft = new ArrayList<>(List.of("FT.SEARCH"));
            ft.addAll(search.withOptions(RedisQueryMapper.toSearchArgs(search.keys(slice.chatId()).index(), slice,
                    answerIds.stream().map(search.keys(slice.chatId())::message).toList(), search.readIndexed())));
            commands.add(ft);
        }
        return commands;
    }

    /**
     * A filtered walk's commands depend on the messages walked past, not only on the answer: they
     * are the commands of the same walk run again now (reads only); if Redis cannot answer, the
     * first window's commands, with the hashes it would name left open.
     */
    private List<List<String>> walked(Slice slice) {
        List<List<String>> trace = new ArrayList<>();
        try {
            slices.slice(slice, false, trace);
            return trace;
        } catch (BackendUnavailableException e) { // CacheIncompleteException too
            Optional<OrderWalk.WalkStart> start = OrderWalk.startOf(slice);
            if (start.isEmpty()) {
                return List.of();
            }
            int window = Math.max(FilteredSearch.FIRST_WINDOW, 2 * slice.count());
            List<List<String>> commands = new ArrayList<>(OrderWalk.nearestCommands(search.keys(slice.chatId()), slice, start.get(), window, false));
            List<String> ft = new ArrayList<>(List.of("FT.SEARCH"));
            ft.addAll(search.withOptions(RedisQueryMapper.toSearchArgs(search.keys(slice.chatId()).index(), slice, List.of("<the keys named above>"),
                    search.readIndexed())));
            commands.add(ft);
            return commands;
        }
    }
}
