package chatcache;

import chatcache.events.EventSettings;
import chatcache.mysql.Database;
import chatcache.mysql.MySqlUsers;
import chatcache.ratelimit.RateLimiter;
import chatcache.ratelimit.RateLimits;
import chatcache.redis.ChatGroups;
import chatcache.redis.RedisTokens;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.user.User;
import chatcache.web.CorsPolicy;
import chatcache.web.HttpLimits;
import chatcache.web.WebApp;
import io.javalin.Javalin;
import picocli.CommandLine;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar chatcache.jar [serve | users add ... | cache ...]}; the benchmark is a jar of its own (bench/). */
@Command(name = "chatcache", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "A queryable Redis cache of chat messages kept in MySQL.",
        subcommands = {App.Serve.class, App.Users.class, CacheCommand.class})
public final class App implements Callable<Integer> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(App.class);

    public static void main(String[] args) {
        System.exit(execute(new App(), args));
    }

    /**
     * Runs a picocli command as chatcache's command lines do (this one and the bench's): Hibernate
     * logging through SLF4J, and a failure as one line naming the problem; returns the exit code.
     */
    public static int execute(Object command, String[] args) {
        // why: Hibernate logs through jboss-logging, which would otherwise pick java.util.logging
        System.setProperty("org.jboss.logging.provider", "slf4j");
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // why: a person should read one line naming the problem, not a stack trace
            cmd.getErr().println("chatcache: " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }

    /** Without a subcommand, serve. */
    @Override
    public Integer call() throws Exception {
        return new Serve().call();
    }

    @Command(name = "serve", description = "Serve the HTTP API on CHATCACHE_BIND:CHATCACHE_PORT (default 127.0.0.1:7070).")
    static final class Serve implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            Config config = Config.fromEnv(System.getenv());
            RateLimits rateLimits = RateLimits.fromEnv(System.getenv());
            HttpLimits httpLimits = HttpLimits.fromEnv(System.getenv());
            EventSettings eventSettings = EventSettings.fromEnv(System.getenv());
            CorsPolicy cors = CorsPolicy.fromEnv(System.getenv());
            ChatCache parts = ChatCache.open(config, Clock.systemUTC());
            parts.startRelays();
            RateLimiter limiter = new RateLimiter(parts.redis(), rateLimits);
            Javalin app = WebApp.create(parts, httpLimits, limiter, eventSettings, cors);
            CountDownLatch stopped = new CountDownLatch(1);
            // why this order on SIGTERM: readiness fails first; the server stops accepting and
            // finishes what it began (CHATCACHE_SHUTDOWN_TIMEOUT_MS at most); then the relays hand
            // over nothing unfinished (acknowledged outbox rows deleted, read marks applied) and
            // the pools close
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long started = System.nanoTime();
                log.info("stopping: finishing requests in flight");
                parts.beginDraining();
                app.stop();
                limiter.close();
                parts.close();
                log.info("stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
                stopped.countDown();
            }, "shutdown"));
            app.start(config.bind(), config.port());
            System.out.println("chatcache listening on " + config.bind() + ":" + app.port() + " (RediSearch "
                    + parts.searchIndex().versionText() + "; browsers: " + cors + ")");
            stopped.await();
            return 0;
        }
    }

    @Command(name = "users", description = "Manage users.", subcommands = {Users.Add.class, Users.Revoke.class})
    static final class Users {
        /** Runs with the users of MySQL and Redis's token copy, as a server sees them, without starting one. */
        static void withAuthenticator(java.util.function.Consumer<Authenticator> work) {
            Config config = Config.fromEnv(System.getenv());
            try (Database database = Database.open(config.dbUrl(), config.dbUser(), config.dbPassword());
                 // why not openRedis: it asks Redis first, and a revocation must reach MySQL while Redis is down
                 chatcache.rediskit.Redis redis = ChatCache.connectRedis(config)) {
                work.accept(new Authenticator(new MySqlUsers(database.sessionFactory()), new RedisTokens(redis, ChatCache.groupsOf(config)), Clock.systemUTC()));
            }
        }

        @Command(name = "add", description = "Create a user and print its bearer token as the last line.")
        static final class Add implements Callable<Integer> {
            @Option(names = "--name", required = true, description = "1 to 100 characters")
            String name;

            @Option(names = "--role", required = true, description = "USER or API")
            Role role;

            @Override
            public Integer call() {
                String trimmed = name.strip();
                if (trimmed.isEmpty() || trimmed.length() > 100) {
                    throw new IllegalArgumentException("--name must be 1 to 100 characters");
                }
                // MySQL stores the user; Redis gets a copy of its token now, or from a server once reachable
                withAuthenticator(authenticator -> {
                    Authenticator.Issued issued = authenticator.issue(trimmed, role);
                    System.out.println("created user " + issued.user().id() + " (" + issued.user().name()
                            + ", " + issued.user().role() + "); its token, shown only now:");
                    System.out.println(issued.token());
                });
                return 0;
            }
        }

        @Command(name = "revoke", description = "Revoke a user's token: every server refuses it (401) within a second.")
        static final class Revoke implements Callable<Integer> {
            @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
            Which which;

            static final class Which {
                @Option(names = "--name", required = true, description = "the user's name (if only one user has it)")
                String name;

                @Option(names = "--id", required = true, description = "the user's id")
                Long id;
            }

            @Override
            public Integer call() {
                withAuthenticator(authenticator -> {
                    User user = authenticator.revoke(which.id, which.name == null ? null : which.name.strip());
                    System.out.println("revoked the token of user " + user.id() + " (" + user.name() + ", " + user.role() + ")");
                });
                return 0;
            }
        }
    }
}
