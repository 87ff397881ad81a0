package chatcache;

import chatcache.replication.CacheRebuild;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code cache rebuild [--chat ID]} and {@code cache verify [--chat ID]}. */
@Command(name = "cache", description = "Rebuild or verify the Redis copy.",
        subcommands = {CacheCommand.Rebuild.class, CacheCommand.Verify.class})
final class CacheCommand {

    @Command(name = "rebuild", description = "Refill Redis from MySQL, and make MySQL's word rows the messages' words"
            + " (the server may keep running).")
    static final class Rebuild implements Callable<Integer> {
        @Option(names = "--chat", description = "only this chat")
        Long chat;

        @Override
        public Integer call() {
            try (ChatCache parts = ChatCache.open(Config.fromEnv(System.getenv()), Clock.systemUTC())) {
                long started = System.nanoTime();
                long copied = parts.rebuild().rebuild(Optional.ofNullable(chat), new ProgressBar(System.err, "rebuild"));
                // why here and not in the server's own rebuilds (of a lost Redis): word rows are
                // written with their messages; only a bug or a hand-made change leaves them wrong,
                // which verify reports, and walking every chat's rows is for the operator to start
                List<Long> chats = chat == null ? parts.mysqlMessages().chats() : List.of(chat);
                long mended = 0;
                for (long c : chats) {
                    mended += parts.mysqlMessages().mendWords(c);
                }
                System.out.printf("MySQL word rows of %d chats checked: %d rows added or deleted%n", chats.size(), mended);
                System.out.printf("rebuilt %s: %d messages in %.1f s%n", chat == null ? "every chat" : "chat " + chat,
                        copied, (System.nanoTime() - started) / 1e9);
                return 0;
            }
        }
    }

    @Command(name = "verify", description = "Compare both stores field by field; exit 1 on any drift.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--chat", description = "only this chat")
        Long chat;

        @Override
        public Integer call() {
            try (ChatCache parts = ChatCache.open(Config.fromEnv(System.getenv()), Clock.systemUTC())) {
                List<String> drift = parts.rebuild().verify(Optional.ofNullable(chat), new ProgressBar(System.err, "verify"));
                drift.stream().limit(50).forEach(System.out::println);
                if (drift.size() > 50) {
                    System.out.println("... and " + (drift.size() - 50) + " more");
                }
                System.out.println(drift.isEmpty() ? "no drift" : drift.size() + " differences");
                return drift.isEmpty() ? 0 : 1;
            }
        }
    }

    /** A bar redrawn in place on a terminal; a line per tenth otherwise (logs, CI). */
    static final class ProgressBar implements CacheRebuild.Progress {
        private final PrintStream out;
        private final String label;
        private final boolean terminal = System.console() != null;
        private final long started = System.nanoTime();
        private long lastTenth = -1;

        ProgressBar(PrintStream out, String label) {
            this.out = out;
            this.label = label;
        }

        @Override
        public void step(long done, long total) {
            int percent = total == 0 ? 100 : (int) (done * 100 / total);
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            String line = String.format("%s [%-30s] %3d%% %,d/%,d messages, %,.0f/s", label,
                    "#".repeat(percent * 30 / 100), percent, done, total, done / seconds);
            if (terminal) {
                out.print("\r" + line + (done >= total ? "\n" : ""));
            } else if (percent / 10 != lastTenth) {
                lastTenth = percent / 10;
                out.println(line);
            }
        }
    }
}
