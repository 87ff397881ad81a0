package chatcache.web;

import chatcache.metrics.Metrics;
import chatcache.metrics.ServiceMetrics;
import chatcache.support.TestStores;
import chatcache.user.Authenticator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static chatcache.web.ApiClient.messageBody;
import static chatcache.web.ApiClient.Reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /metrics on the real app: the series the README names, their labels, and that they move with the work. */
class HttpMetricsIT extends LiveApp {
    private static final String FETCH = "/chat/{chatId}/messages";
    /** The chat alice made: she posts, bob reads. */
    private long chat;

    @BeforeEach
    void reset() {
        emptyStores();
        Reply created = send("POST", "/chats", alice, "{\"visibility\": \"public\", \"title\": \"metrics\"}");
        assertEquals(201, created.status(), created.body());
        chat = created.json().get("id").longValue();
    }

    private long post(String text) {
        Reply r = send("POST", "/chat/" + chat + "/message", alice, messageBody(text, null));
        assertEquals(201, r.status(), r.body());
        return r.json().get("id").longValue();
    }

    private String fetchAs(Authenticator.Issued who) {
        Reply r = send("POST", "/chat/" + chat + "/messages", who, "{\"limit\": 5}");
        assertEquals(200, r.status(), r.body());
        return r.json().get("source").asText();
    }

    /** One scrape: each sample line as name -> labels -> value. */
    private record Scrape(String text, List<Sample> samples) {
        /** The value of the one sample of this name whose labels include these, or 0 if none is there yet. */
        double value(String name, Map<String, String> labels) {
            List<Sample> found = samples.stream()
                    .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())).toList();
            assertTrue(found.size() <= 1, "several samples " + name + labels + ": " + found);
            return found.isEmpty() ? 0 : found.get(0).value();
        }

        double present(String name, Map<String, String> labels) {
            assertTrue(samples.stream().anyMatch(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())),
                    "no sample " + name + labels + " in:\n" + text);
            return value(name, labels);
        }
    }

    private record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Scrape scrape() {
        Reply r = send("GET", "/metrics", ANONYMOUS, null);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
        return parse(r.body());
    }

    private static Scrape parse(String text) {
        List<Sample> samples = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            Map<String, String> labels = new HashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new Scrape(text, samples);
    }

    private static Map<String, String> request(String method, String route, int status, String store) {
        return Map.of("method", method, "route", route, "status", Integer.toString(status), "store", store);
    }

    @Test
    void requestsAreCountedByRouteTemplateStatusAndTheStoreThatAnswered() {
        post("one");
        Scrape before = scrape();
        assertEquals("redis", fetchAs(null));
        assertEquals("redis", fetchAs(bob));
        assertEquals("mysql", fetchAs(api));
        post("two");
        assertEquals(404, send("GET", "/no/such/route/" + chat, ANONYMOUS, null).status());
        assertEquals(404, send("GET", "/chat/" + (chat + 1_000), bob, null).status());
        Scrape after = scrape();

        String count = "http_server_requests_seconds_count";
        Map<String, Double> expected = new java.util.LinkedHashMap<>();
        Map<String, Map<String, String>> series = Map.of(
                "redis fetches", request("POST", FETCH, 200, "redis"),
                "mysql fetch", request("POST", FETCH, 200, "mysql"),
                "post", request("POST", "/chat/{chatId}/message", 201, "mysql"),
                "no route", request("GET", "unmatched", 404, "none"),
                "no chat", request("GET", "/chat/{chatId}", 404, "none"));
        Map<String, Double> increase = new java.util.LinkedHashMap<>();
        series.forEach((what, labels) -> increase.put(what, after.present(count, labels) - before.value(count, labels)));
        expected.put("redis fetches", 2.0);
        expected.put("mysql fetch", 1.0);
        expected.put("post", 1.0);
        expected.put("no route", 1.0);
        expected.put("no chat", 1.0);
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(increase));

        // histogram buckets, cumulative, so that Prometheus can compute p99 per route and store
        Map<String, String> redisFetch = request("POST", FETCH, 200, "redis");
        double all = after.value(count, redisFetch);
        Map<String, String> inf = new HashMap<>(redisFetch);
        inf.put("le", "+Inf");
        assertEquals(all, after.present("http_server_requests_seconds_bucket", inf));
        Map<String, String> tenSeconds = new HashMap<>(redisFetch);
        tenSeconds.put("le", "10.0");
        assertEquals(all, after.present("http_server_requests_seconds_bucket", tenSeconds));
        assertTrue(after.present("http_server_requests_seconds_sum", redisFetch) > 0);

        // why: a label per chat id would grow the series without bound; only templates may show
        for (Sample s : after.samples()) {
            String route = s.labels().get("route");
            if (route != null) {
                assertTrue(route.equals("unmatched") || ApiRoutes.all().stream().anyMatch(r -> r.path().equals(route)),
                        "route label not a template: " + s);
            }
        }
        assertFalse(after.text().contains("/chat/" + chat), "a raw path in the metrics");
    }

    @Test
    void aReadThatMySqlAnsweredForRedisIsCountedByItsReason() {
        post("one");
        Scrape before = scrape();
        stores.cache.cacheState().markChatRebuilding(chat);
        try {
            assertEquals("mysql", fetchAs(null));
        } finally {
            stores.cache.cacheState().markChatComplete(chat, java.util.Optional.empty());
        }
        assertEquals("redis", fetchAs(null));
        Scrape after = scrape();
        Map<String, String> incomplete = Map.of("reason", "incomplete");
        assertEquals(1.0, after.present("chatcache_fallbacks_total", incomplete) - before.value("chatcache_fallbacks_total", incomplete));
        for (String reason : List.of("unreachable", "timeout", "disagreement", "unreadable", "failed")) {
            Map<String, String> other = Map.of("reason", reason);
            assertEquals(before.value("chatcache_fallbacks_total", other), after.present("chatcache_fallbacks_total", other), reason);
        }
        Map<String, String> fallback = request("POST", FETCH, 200, "mysql");
        assertEquals(1.0, after.present("http_server_requests_seconds_count", fallback)
                - before.value("http_server_requests_seconds_count", fallback));
    }

    @Test
    void backlogsShowHowManyWaitAndHowOldTheOldestIsUntilTheRelaysCarryThem() throws SQLException {
        long first = post("one");
        post("two");
        // a row the request path never finished (as after a crash): the relay re-sends it
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO cache_outbox (message_id, created_at) VALUES (" + first + ", " + stores.clock.millis() + ")");
        }
        assertEquals("redis", fetchAs(bob)); // marks alice's two messages read for bob: one stream entry
        long waited = 5_000;
        stores.clock.advance(waited);

        // why polled: the read-mark sample may be one an earlier scrape took less than a second ago
        Scrape waiting = scrapeUntil(s -> s.value("chatcache_readmarks_backlog_entries", Map.of()) == 1);
        // the rows of the posts (and of the chat) stay until the relay deletes them; the inserted one until it re-sends it
        assertEquals(outboxRows(), waiting.present("chatcache_outbox_backlog_rows", Map.of()));
        double outboxAge = waiting.present("chatcache_outbox_oldest_age_seconds", Map.of());
        assertTrue(outboxAge >= waited / 1000.0 && outboxAge < waited / 1000.0 + 1, "outbox age " + outboxAge);
        assertEquals(1.0, waiting.present("chatcache_readmarks_backlog_entries", Map.of()));
        double marksAge = waiting.present("chatcache_readmarks_oldest_age_seconds", Map.of());
        assertTrue(marksAge >= 0 && marksAge < 60, "read-mark age " + marksAge);

        double outboxBatches = waiting.value("chatcache_outbox_relay_batch_entries_count", Map.of());
        double outboxEntries = waiting.value("chatcache_outbox_relay_batch_entries_sum", Map.of());
        double markBatches = waiting.value("chatcache_readmarks_relay_batch_marks_count", Map.of());
        double marks = waiting.value("chatcache_readmarks_relay_batch_marks_sum", Map.of());
        stores.cache.cacheRelay().drain();
        stores.cache.readMarks().drain();
        stores.clock.advance(waited); // past the outbox sample's second

        // why both: the count and the age are sampled apart, each at most once a second
        Scrape carried = scrapeUntil(s -> s.value("chatcache_readmarks_backlog_entries", Map.of()) == 0
                && s.value("chatcache_readmarks_oldest_age_seconds", Map.of()) == 0);
        assertEquals(0.0, carried.present("chatcache_outbox_backlog_rows", Map.of()));
        assertEquals(0.0, carried.present("chatcache_outbox_oldest_age_seconds", Map.of()));
        assertEquals(0.0, carried.present("chatcache_readmarks_oldest_age_seconds", Map.of()));
        assertEquals(1.0, carried.present("chatcache_outbox_relay_batch_entries_count", Map.of()) - outboxBatches);
        assertEquals(1.0, carried.present("chatcache_outbox_relay_batch_entries_sum", Map.of()) - outboxEntries);
        assertEquals(1.0, carried.present("chatcache_readmarks_relay_batch_marks_count", Map.of()) - markBatches);
        assertEquals(2.0, carried.present("chatcache_readmarks_relay_batch_marks_sum", Map.of()) - marks);
    }

    private static double outboxRows() throws SQLException {
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM cache_outbox")) {
            rows.next();
            assertTrue(rows.getLong(1) >= 3, "the posts' rows and the inserted one");
            return rows.getLong(1);
        }
    }

    private Scrape scrapeUntil(java.util.function.Predicate<Scrape> done) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Scrape s = scrape();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            s = scrape();
        }
        assertTrue(done.test(s), "not reached within 10 s:\n" + s.text());
        return s;
    }

    @Test
    void rebuildProgressPoolsAndTheJvmAreShown() {
        post("one");
        post("two");
        stores.cache.rebuild().rebuild(java.util.Optional.empty(), chatcache.replication.CacheRebuild.Progress.NONE);
        Scrape s = scrape();
        assertEquals(0.0, s.present("chatcache_rebuild_running", Map.of()));
        assertEquals(2.0, s.present("chatcache_rebuild_done_messages", Map.of()));
        assertEquals(2.0, s.present("chatcache_rebuild_total_messages", Map.of()));

        Map<String, String> mysql = Map.of("pool", "chatcache-mysql");
        assertTrue(s.present("hikaricp_connections_max", mysql) >= 1);
        s.present("hikaricp_connections_active", mysql);
        s.present("hikaricp_connections_idle", mysql);
        s.present("hikaricp_connections_pending", mysql);
        assertTrue(s.present("hikaricp_connections_acquire_seconds_count", mysql) > 0);
        Map<String, String> redis = Map.of("pool", "chatcache-redis");
        assertEquals(64.0, s.present("jedis_pool_max_connections", redis));
        assertTrue(s.present("jedis_pool_idle_connections", redis) >= 1, "the requests' connections went back idle");
        s.present("jedis_pool_active_connections", redis);
        s.present("jedis_pool_waiters_threads", redis);
        assertTrue(s.samples().stream().anyMatch(m -> m.name().equals("jvm_memory_used_bytes") && m.value() > 0), "JVM meters");
        assertTrue(s.present("process_uptime_seconds", Map.of()) > 0);
    }

    /** A store that is down must not fail the scrape: its backlog shows NaN, asked once, not once per gauge. */
    @Test
    void aBacklogWhoseStoreIsDownShowsNaNAndTheScrapeStillAnswers() {
        try (Metrics metrics = new Metrics(); Pool<Jedis> down = TestStores.unreachableRedis()) {
            int[] asked = {0};
            ServiceMetrics.readMarks(metrics.registry(), () -> {
                asked[0]++;
                try (Jedis jedis = down.getResource()) {
                    return jedis.xlen("chatcache:read-marks");
                }
            }, () -> null, System::currentTimeMillis);
            Scrape s = parse(metrics.scrape());
            assertTrue(Double.isNaN(s.present("chatcache_readmarks_backlog_entries", Map.of())));
            assertTrue(Double.isNaN(s.present("chatcache_readmarks_oldest_age_seconds", Map.of())));
            assertEquals(1, asked[0], "both gauges from one sample");
        }
    }
}
