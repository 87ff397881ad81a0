package chatcache.bench;

import chatcache.ChatCache;
import chatcache.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

/** {@code chatcache bench}: page 1 against a page deep in a big chat, on the Redis and the MySQL route. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures POST /chat/{id}/messages over HTTP against the real app (in-process, on"
                + " 127.0.0.1) on the servers of CHATCACHE_*: the newest page and a page --depth messages deep,"
                + " each on the Redis route (USER caller) and the MySQL route (API caller). Uses its own chat"
                + " (default id 1000000000 + N), loads it once through bulk paths and reuses it later. Prints a"
                + " markdown table on stdout, progress on stderr; exits 1 on errors or answers that differ.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--messages", defaultValue = "100000", description = "messages in the chat (default ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--depth", defaultValue = "10000", description = "newer messages above the deep page's anchor (default ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--clients", defaultValue = "8", description = "concurrent HTTP clients (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per workload and route, taken in 1 s rounds (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup", defaultValue = "1", description = "unmeasured seconds of every workload on every route before measuring (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--limit", defaultValue = "20", description = "page size, 1..100 (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--chat", description = "the chat id to use (default 1000000000 + messages)")
    Long chat;

    @Option(names = "--out", description = "also write the markdown to this file")
    Path out;

    private BenchResult result;

    /** The figures of the last run, for tests. */
    public BenchResult result() {
        return result;
    }

    @Override
    public Integer call() throws Exception {
        BenchOptions options = new BenchOptions(messages, depth, clients, seconds, warmup, limit,
                chat != null ? chat : BenchOptions.defaultChatId(messages));
        Config config = Config.fromEnv(System.getenv());
        try (ChatCache cache = ChatCache.open(config, Clock.systemUTC())) {
            result = Bench.run(cache, options, System.err);
        }
        String markdown = result.toMarkdown();
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
        if (result.totalErrors() > 0 || result.totalMismatches() > 0) {
            System.err.println("bench: " + result.totalErrors() + " errors, " + result.totalMismatches()
                    + " mismatches between the routes (see above)");
            return 1;
        }
        return 0;
    }
}
