package chatcache.bench;

import chatcache.App;
import chatcache.ChatCache;
import chatcache.Config;
import chatcache.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code java -jar bench/target/chatcache-bench.jar} ({@code ./dev bench}): the read and write
 * workloads of issue #5 over HTTP, with raw-engine baselines. A jar of its own beside the service's
 * (bench/pom.xml), which the service does not know.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "Measures the real app (in-process, HTTP on 127.0.0.1) on the servers of CHATCACHE_*: for each"
                + " chat size, the newest page, the newest page of one author (~4%% of the chat), a page --depth"
                + " deep and issue #10's filter rows (authors, since, unread, words), each on the Redis route (USER"
                + " token; anonymous for the unread rows) and the MySQL route (API token), and the first three"
                + " issued straight to RediSearch and MySQL (baselines); the newest page again while --writers"
                + " clients post; then POST /chat/{id}/message (writes) and read marks. Chats (id --chat-base +"
                + " 10000000 + N) and background chats are loaded once through bulk paths and reused. Prints"
                + " markdown on stdout, progress on stderr; exits 1 on errors or answers that differ."
                + " With --subscribers: issue #13's live events (streams, delivery latency, memory per stream).")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = {"--sizes", "--messages"}, split = ",", defaultValue = "1000,100000",
            description = "messages in the large chat, one run per size, e.g. 1000,100000,1000000 (default ${DEFAULT-VALUE})")
    List<Integer> sizes;

    @Option(names = "--depth", defaultValue = "10000",
            description = "newer messages above the deep page's anchor; half the chat in smaller chats (default ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--clients", split = ",", defaultValue = "8,32",
            description = "concurrent clients, one set of rows per count (default ${DEFAULT-VALUE})")
    List<Integer> clients;

    @Option(names = "--seconds", defaultValue = "5",
            description = "rounds per row; each round runs every row once for --round-ms (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--round-ms", defaultValue = "1000", description = "milliseconds per row and round (default ${DEFAULT-VALUE})")
    int roundMillis;

    @Option(names = "--warmup-ms", defaultValue = "1000",
            description = "unmeasured milliseconds per read row (every workload, size and path) in each warm-up pass;"
                    + " passes repeat until the JIT compiles for less than 3 %% of a pass (default ${DEFAULT-VALUE})")
    int warmupMillis;

    @Option(names = "--warmup-passes", defaultValue = "10",
            description = "at most this many warm-up passes (default ${DEFAULT-VALUE})")
    int warmupPasses;

    @Option(names = "--limit", defaultValue = "20", description = "page size, 1..100 (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--background", defaultValue = "1000x100",
            description = "background chats as CHATSxMESSAGES, loaded once and reused (default ${DEFAULT-VALUE})")
    String background;

    @Option(names = "--no-writes", description = "skip the write workload, the rows under writes and the read-mark check")
    boolean noWrites;

    @Option(names = "--writers", defaultValue = "32",
            description = "clients posting into the write chat while the newest page is measured again on both routes"
                    + " ('latest under writes'); 0 skips those rows (default ${DEFAULT-VALUE})")
    int writers;

    @Option(names = "--subscribers", defaultValue = "0",
            description = "issue #13: this many GET /chat/{id}/events streams (0: none, no live-events rows); the latest"
                    + " page is measured again with them open and while posts stream to them; delivery latency post ->"
                    + " event, memory per stream (default ${DEFAULT-VALUE})")
    int subscribers;

    @Option(names = "--subscriber-chats", defaultValue = "50",
            description = "the streams follow this many public chats, in turn (default ${DEFAULT-VALUE})")
    int subscriberChats;

    @Option(names = "--event-posts-per-second", defaultValue = "200",
            description = "posts per second, round-robin into the subscribers' chats, while 'latest (under events)' is"
                    + " measured (default ${DEFAULT-VALUE})")
    int eventPostsPerSecond;

    @Option(names = "--no-baselines", description = "skip the raw RediSearch/MySQL baselines")
    boolean noBaselines;

    @Option(names = "--chat-base", defaultValue = "1000000000",
            description = "the large chat of N is this + 10000000 + N; background chats this + 500000000 + i"
                    + " (default ${DEFAULT-VALUE})")
    long chatBase;

    @Option(names = "--naive-up-to", defaultValue = "100000",
            description = "above this chat size the naive FT.SEARCH baseline runs with 1 client only (default ${DEFAULT-VALUE})")
    int naiveUpTo;

    @Option(names = "--popularity",
            description = "issue #23's popularity workload instead of the rows above: CHATSxMESSAGES chats (loaded into"
                    + " MySQL once and reused), the newest page of a chat drawn Zipf-distributed per request, with every"
                    + " window held, then under --budget-percent of the full copy, then on the MySQL route; needs"
                    + " RediSearch 2.x (e.g. 10000x200)")
    String popularity;

    @Option(names = "--popularity-window", defaultValue = "32",
            description = "the window (CHATCACHE_CACHE_WINDOW) of the popularity run (default ${DEFAULT-VALUE})")
    int popularityWindow;

    @Option(names = "--budget-percent", defaultValue = "10",
            description = "the popularity run's budget, in percent of the full copy's estimated bytes (default ${DEFAULT-VALUE})")
    int budgetPercent;

    @Option(names = "--zipf", defaultValue = "1.1",
            description = "the popularity run's Zipf exponent over chats (default ${DEFAULT-VALUE})")
    double zipf;

    @Option(names = "--popularity-seconds", defaultValue = "30,60",
            split = ",", description = "the popularity run's WARMUP,MEASURED seconds per phase (default ${DEFAULT-VALUE})")
    List<Integer> popularitySeconds;

    @Option(names = "--seed", defaultValue = "23", description = "the popularity run's random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", description = "also write the markdown to this file")
    Path out;

    @Option(names = "--png", description = "also draw p99 latency against chat size to this PNG file")
    Path png;

    private BenchResult result;

    public static void main(String[] args) {
        System.exit(App.execute(new BenchCommand(), args));
    }

    /** The figures of the last run, for tests. */
    public BenchResult result() {
        return result;
    }

    @Override
    public Integer call() throws Exception {
        String[] bg = background.toLowerCase().split("x");
        if (bg.length != 2) {
            throw new IllegalArgumentException("--background must be CHATSxMESSAGES, e.g. 1000x100");
        }
        BenchOptions options = new BenchOptions(sizes, depth, clients, rounds, roundMillis, warmupMillis, warmupPasses, limit,
                Integer.parseInt(bg[0].strip()), Integer.parseInt(bg[1].strip()), !noWrites, !noBaselines, chatBase, naiveUpTo,
                writers, subscribers, subscriberChats, eventPostsPerSecond);
        if (popularity != null) {
            return popularity();
        }
        Config config = Config.fromEnv(System.getenv());
        try (ChatCache cache = ChatCache.open(config, Clock.systemUTC())) {
            result = Bench.run(cache, options, System.err);
        }
        write(result.toMarkdown());
        if (png != null) {
            Chart.write(result, png);
            System.err.println("bench: chart written to " + png);
        }
        if (result.totalErrors() > 0 || result.totalMismatches() > 0) {
            System.err.println("bench: " + result.totalErrors() + " errors, " + result.totalMismatches()
                    + " mismatches between the routes (see above)");
            return 1;
        }
        return 0;
    }

    /** Exit 1 when an answer was wrong or the two routes answered differently. */
    private Integer popularity() throws Exception {
        String[] p = popularity.toLowerCase().split("x");
        if (p.length != 2 || popularitySeconds.size() != 2) {
            throw new IllegalArgumentException("--popularity must be CHATSxMESSAGES, e.g. 10000x200, and"
                    + " --popularity-seconds WARMUP,MEASURED");
        }
        Popularity.Options options = new Popularity.Options(Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip()),
                popularityWindow, budgetPercent, zipf, clients.stream().mapToInt(Integer::intValue).max().orElse(32), limit,
                popularitySeconds.get(0), popularitySeconds.get(1), chatBase, 50, seed);
        Popularity.Report report = Popularity.run(System.getenv(), options, System.err);
        write(report.markdown());
        return report.ok() ? 0 : 1;
    }

    /** Prints the markdown and writes it to --out. */
    private void write(String markdown) throws IOException {
        System.out.print(markdown);
        System.out.flush();
        if (out != null) {
            try {
                Files.writeString(out, markdown, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IOException("cannot write --out " + out + ": " + e.getMessage(), e);
            }
            System.err.println("bench: markdown written to " + out);
        }
    }
}
