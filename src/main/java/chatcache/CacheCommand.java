package chatcache;

import chatcache.replication.CacheRebuild;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code cache rebuild [--chat ID]}, {@code cache verify [--chat ID]}, {@code cache status},
 * {@code cache evict --chat ID}, {@code cache warm --chat ID} and {@code cache move-group --group N --to HOST:PORT}.
 */
@Command(name = "cache", description = "Rebuild, verify or inspect the Redis copy; evict or load one chat.",
        subcommands = {CacheCommand.Rebuild.class, CacheCommand.Verify.class, CacheCommand.Status.class,
                CacheCommand.Evict.class, CacheCommand.Warm.class, CacheCommand.MoveGroup.class})
final class CacheCommand {

    @Command(name = "status", description = "What Redis holds: the window, the budget, its memory, the chats held,"
            + " the largest of them.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--largest", description = "how many of the largest chats to list (default 10)")
        int largest = 10;

        @Override
        public Integer call() {
            try (ChatCache parts = ChatCache.open(Config.fromEnv(System.getenv()), Clock.systemUTC())) {
                ChatCache.CacheUse use = parts.health().cache();
                System.out.printf("window: %s%n", use.window() == 0 ? "whole chats" : use.window() + " messages per chat");
                System.out.printf("budget: %s%n", use.budgetBytes() == 0 ? "none" : mib(use.budgetBytes()));
                System.out.printf("Redis memory used: %s%n", use.usedBytes() == null ? "unknown" : mib(use.usedBytes()));
                System.out.printf("chats held: %s%n", use.chatsHeld() == null ? "unknown" : use.chatsHeld());
                System.out.printf("complete: %s%n", parts.cacheState().holdsAll() ? "yes" : "no (a rebuild is due or running)");
                System.out.println("largest chats held (messages in Redis):");
                parts.cacheState().largest(Math.max(1, largest)).forEach((chat, n) -> System.out.printf("  chat %d: %d%n", chat, n));
                return 0;
            }
        }

        private static String mib(long bytes) {
            return String.format("%.1f MiB (%d bytes)", bytes / 1048576.0, bytes);
        }
    }

    @Command(name = "evict", description = "Drop one chat's messages from Redis (its readers go to MySQL until"
            + " it is read again, which loads it).")
    static final class Evict implements Callable<Integer> {
        @Option(names = "--chat", required = true, description = "the chat")
        long chat;

        @Override
        public Integer call() {
            try (ChatCache parts = ChatCache.open(Config.fromEnv(System.getenv()), Clock.systemUTC())) {
                long held = parts.cacheState().messagesHeld(chat);
                if (!parts.replication().budget().drop(chat)) {
                    System.out.printf("chat %d is being loaded or evicted by another; try again%n", chat);
                    return 1;
                }
                System.out.printf("chat %d evicted: %d messages dropped from Redis%n", chat, held);
                return 0;
            }
        }
    }

    @Command(name = "warm", description = "Load one chat's window into Redis now.")
    static final class Warm implements Callable<Integer> {
        @Option(names = "--chat", required = true, description = "the chat")
        long chat;

        @Override
        public Integer call() {
            try (ChatCache parts = ChatCache.open(Config.fromEnv(System.getenv()), Clock.systemUTC())) {
                long started = System.nanoTime();
                if (!parts.replication().warmer().warmNow(chat)) {
                    System.out.printf("chat %d was not loaded: another loads or evicts it, or the load failed (see the log)%n", chat);
                    return 1;
                }
                System.out.printf("chat %d loaded: %d messages held, in %.1f s%n", chat, parts.cacheState().messagesHeld(chat),
                        (System.nanoTime() - started) / 1e9);
                return 0;
            }
        }
    }

    @Command(name = "move-group", description = "Redis Cluster: move a group of chats (its slot) to another primary,"
            + " its search index made there before its keys arrive (the group's pages are MySQL's while it moves).")
    static final class MoveGroup implements Callable<Integer> {
        @Option(names = "--group", required = true, description = "the group (chat c is in group c mod the count of groups)")
        int group;

        @Option(names = "--to", required = true, description = "the primary to move it to, host:port")
        String to;

        @Override
        public Integer call() {
            redis.clients.jedis.HostAndPort target;
            try {
                target = redis.clients.jedis.HostAndPort.from(to);
            } catch (RuntimeException e) {
                System.err.printf("--to must be host:port, not '%s'%n", to);
                return 2;
            }
            try (ChatCache parts = ChatCache.open(Config.fromEnv(System.getenv()), Clock.systemUTC())) {
                long started = System.nanoTime();
                long moved;
                try {
                    long[] shown = {0};
                    moved = parts.moveGroup(group, target, n -> {
                        if (n / 10_000 != shown[0]) { // a line per 10,000 keys
                            shown[0] = n / 10_000;
                            System.err.printf("move-group: %,d keys moved%n", n);
                        }
                    });
                } catch (IllegalArgumentException e) {
                    System.err.println(e.getMessage());
                    return 2;
                }
                System.out.printf("group %d is on %s: %,d keys moved in %.1f s, its search index there before they arrived%n",
                        group, target, moved, (System.nanoTime() - started) / 1e9);
                return 0;
            }
        }
    }

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
