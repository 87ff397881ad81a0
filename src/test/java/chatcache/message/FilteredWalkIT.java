package chatcache.message;

import chatcache.core.Message;
import chatcache.query.Filter;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.query.Slice;
import chatcache.replication.CacheRebuild;
import chatcache.support.ExpectedPages;
import chatcache.support.TestClock;
import chatcache.support.FreshStores;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Filters the order index keeps no list for (read state, words) over a chat of 12,000 messages, so
 * that the Redis route walks several windows and, for rare filters, lists the matches directly:
 * every page equals MySQL's and the documented one, at every depth, and the walk's commands show
 * which way it went.
 */
class FilteredWalkIT extends FreshStores {
    private static final int N = 12_000;

    /** Redis holds the whole chat: the walk's windows and spans go all the way down in Redis. */
    @Override
    protected chatcache.support.TestStores chooseStores() {
        return chatcache.support.TestStores.withWindow(0);
    }

    @Test
    void sparseDenseAndRareFiltersGiveTheDocumentedPagesAtEveryDepth() throws Exception {
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET SESSION max_recursive_iterations = 100000");
            // sparse: 2 %; dense: 50 %; rare: 3 messages, two of them deep; 5 % unread; times tie in threes
            s.execute("INSERT INTO messages (chat_id, user_id, message, created_at, is_read) "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + N + ") "
                    + "SELECT 1, IF(i % 3 = 0, " + bob.id() + ", " + alice.id() + "), CONCAT('m', i, "
                    + "IF(i % 50 = 0, ' sparse', ''), IF(i % 2 = 0, ' Dense', ''), IF(i IN (7, 1500, 1501), ' rare', '')), "
                    + TestClock.START + " + i DIV 3, i % 20 <> 0 FROM n");
        }
        stores.cache.mysqlMessages().mendWords(1);
        stores.cache.rebuild().rebuild(Optional.of(1L), CacheRebuild.Progress.NONE);
        List<Message> all = stores.cache.mysqlMessages().scan(Optional.of(1L), 0, N + 1);
        assertEquals(N, all.size());
        List<Message> newestFirst = all.stream().sorted(ExpectedPages.NEWEST_FIRST).toList();

        List<List<Filter>> cases = List.of(List.of(Filter.Text.of("sparse")), List.of(Filter.Text.of("dense")),
                List.of(Filter.Text.of("rare")), List.of(new Filter.Read(false)), List.of(new Filter.Read(true)),
                List.of(new Filter.Read(false), Filter.Text.of("sparse")), List.of(Filter.Text.of("rare"), Filter.Authors.of(alice.id())),
                List.of(Filter.Text.of("absent")), List.of(Filter.Text.of("sparse dense"), Filter.Authors.of(alice.id(), bob.id())),
                List.of(Filter.Text.of("sparse"), new Filter.TimeRange(TestClock.START + 300, TestClock.START + 900)));
        List<Position> positions = new ArrayList<>(List.of(Position.LATEST));
        for (int depth : new int[] {0, 100, 2_500, 10_400, N - 1}) {
            long id = newestFirst.get(depth).id();
            positions.addAll(List.of(new Position.Before(id), new Position.After(id), new Position.Around(id)));
        }
        int pages = 0;
        for (List<Filter> filters : cases) {
            for (Position position : positions) {
                for (int limit : new int[] {20, 100}) {
                    SearchCriteria c = new SearchCriteria(1, filters, limit, position);
                    Page fromRedis = Pager.page(stores.cache.redisRoute(), c);
                    assertEquals(ExpectedPages.of(all, c).orElseThrow(), fromRedis, c.toString());
                    assertEquals(Pager.page(stores.cache.mysqlMessages(), c), fromRedis, c.toString());
                    pages++;
                }
            }
        }
        System.out.println("FilteredWalkIT: " + pages + " pages over " + N + " messages agree");

        // which way the walks went: one window from the order index, then spans of time searched
        // for their matches' times: a sparse word fills the page from the first span, a rare one
        // needs the whole rest of the chat
        var redis = stores.cache.redisMessages().translator();
        List<List<String>> sparse = redis.slice(new Slice(1, List.of(Filter.Text.of("sparse")), Slice.Direction.OLDER,
                Optional.empty(), 21), List.of());
        assertEquals(1, sparse.stream().filter(cmd -> cmd.get(0).equals("EVALSHA")).count(), sparse.toString());
        assertEquals(1, spans(sparse).size(), sparse.toString());
        List<List<String>> rare = redis.slice(new Slice(1, List.of(Filter.Text.of("rare")), Slice.Direction.OLDER,
                Optional.empty(), 21), List.of());
        List<List<String>> rareSpans = spans(rare);
        assertEquals(2, rareSpans.size(), rare.toString());
        // the whole rest of the chat: no time bound (a wide NUMERIC range costs more than it narrows)
        assertEquals("@chatId:{1} @words:{rare}", rareSpans.get(1).get(2), rareSpans.toString());
    }

    /**
     * why: a walk that found some matches sized its next spans by their density and went on past
     * the chat's oldest message into times before it existed, doubling down to -inf (issue #24
     * measured 19 FT.SEARCH for one page of a 5,000-message chat with 5 matches). It ends at the
     * oldest message its lists hold (and, walking newer, at the newest).
     */
    @Test
    void aWalkEndsAtTheOldestAndNewestMessagesItsListsHold() throws Exception {
        int n = 5_000;
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET SESSION max_recursive_iterations = 100000");
            s.execute("INSERT INTO messages (chat_id, user_id, message, created_at, is_read) "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + n + ") "
                    + "SELECT 1, IF(i % 3 = 0, " + bob.id() + ", " + alice.id() + "), CONCAT('m', i, "
                    + "IF(i IN (10, 1000, 2000, 3000, 4990), ' seldom', '')), " + TestClock.START + " + i, 1 FROM n");
        }
        stores.cache.mysqlMessages().mendWords(1);
        stores.cache.rebuild().rebuild(Optional.of(1L), CacheRebuild.Progress.NONE);
        List<Message> all = stores.cache.mysqlMessages().scan(Optional.of(1L), 0, n + 1);
        List<Message> newestFirst = all.stream().sorted(ExpectedPages.NEWEST_FIRST).toList();
        var redis = stores.cache.redisMessages().translator();
        for (Slice slice : List.of(
                new Slice(1, List.of(Filter.Text.of("seldom")), Slice.Direction.OLDER, Optional.empty(), 20),
                new Slice(1, List.of(Filter.Text.of("seldom"), Filter.Authors.of(alice.id(), bob.id())), Slice.Direction.OLDER,
                        Optional.empty(), 20),
                new Slice(1, List.of(Filter.Text.of("seldom")), Slice.Direction.NEWER,
                        Optional.of(placeOf(newestFirst.get(n - 1))), 20))) {
            List<List<String>> commands = redis.slice(slice, List.of());
            assertTrue(spans(commands).size() <= 4, slice + " searched " + spans(commands).size() + " spans: " + commands);
            assertTrue(spans(commands).stream().noneMatch(cmd -> String.join(" ", cmd).contains("-inf")
                    || String.join(" ", cmd).contains("[-")), commands.toString());
        }
        // older than m4989: no match in the first window, and the lists end within two spans of its
        // density: the whole rest at once, in one search without a time bound
        Slice rest = new Slice(1, List.of(Filter.Text.of("seldom")), Slice.Direction.OLDER,
                Optional.of(placeOf(newestFirst.get(11))), 20);
        List<List<String>> restCommands = redis.slice(rest, List.of());
        assertEquals(1, spans(restCommands).size(), restCommands.toString());
        assertEquals("@chatId:{1} @words:{seldom}", spans(restCommands).get(0).get(2), restCommands.toString());
        for (Position position : List.of(Position.LATEST, new Position.After(newestFirst.get(n - 1).id()),
                new Position.Before(newestFirst.get(20).id()), new Position.Before(newestFirst.get(11).id()))) {
            SearchCriteria c = new SearchCriteria(1, List.of(Filter.Text.of("seldom")), 20, position);
            Page fromRedis = Pager.page(stores.cache.redisRoute(), c);
            assertEquals(ExpectedPages.of(all, c).orElseThrow(), fromRedis, c.toString());
            assertEquals(Pager.page(stores.cache.mysqlMessages(), c), fromRedis, c.toString());
        }
    }

    private static chatcache.query.OrderKey placeOf(Message m) {
        return new chatcache.query.OrderKey(m.createdAt(), m.id());
    }

    /** The searches of time spans (each returns its matches' times only). */
    private static List<List<String>> spans(List<List<String>> commands) {
        return commands.stream().filter(cmd -> cmd.get(0).equals("FT.SEARCH") && cmd.contains("RETURN")
                && cmd.get(cmd.indexOf("RETURN") + 1).equals("1")).toList();
    }
}
