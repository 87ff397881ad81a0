package chatcache.fault;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.SafeEncoder;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A MariaDB and a Redis+RediSearch of this test's own, as child processes it can kill and
 * restart: the shared test servers must not be killed. Needs the same Debian packages as ./dev.
 */
final class OwnServers implements AutoCloseable {
    /** Debian's RediSearch 1.2, or the module the 2.x test pass names (pom.xml, profile redisearch2). */
    private static final String REDISEARCH = System.getenv().getOrDefault("CHATCACHE_TEST_REDISEARCH_MODULE",
            "/usr/lib/redis/modules/redisearch.so");

    final Path dir;
    final int mysqlPort = freePort();
    final int redisPort = freePort();
    private Process mysql;
    private Process redis;

    OwnServers() throws IOException, InterruptedException {
        this(true);
    }

    /** @param withRedis false for a test that brings Redis servers of its own (OwnSentinel) */
    OwnServers(boolean withRedis) throws IOException, InterruptedException {
        dir = Files.createTempDirectory("chatcache-fault");
        Path data = dir.resolve("mysql");
        Files.createDirectories(data);
        run(List.of(program("mariadb-install-db"), "--no-defaults", "--datadir=" + data, "--user=root",
                "--auth-root-authentication-method=normal", "--skip-test-db"), dir.resolve("install-db.log"));
        startMysql();
        if (withRedis) {
            startRedis(false);
        }
    }

    String jdbcUrl() {
        return "jdbc:mysql://127.0.0.1:" + mysqlPort + "/chatcache?createDatabaseIfNotExist=true";
    }

    String redisUrl() {
        return "redis://127.0.0.1:" + redisPort;
    }

    void startMysql() throws IOException {
        mysql = new ProcessBuilder(program("mariadbd"), "--no-defaults", "--user=root", "--datadir=" + dir.resolve("mysql"),
                "--socket=" + dir.resolve("mysql.sock"), "--port=" + mysqlPort, "--bind-address=127.0.0.1",
                "--skip-name-resolve", "--skip-grant-tables", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin",
                // why: this throw-away server has no grants; at least it writes files nowhere but its own folder
                "--secure-file-priv=" + dir)
                .redirectErrorStream(true).redirectOutput(dir.resolve("mysql.log").toFile()).start();
        awaitUp("MariaDB", () -> {
            try (var c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + mysqlPort + "/", "root", "")) {
                return c.isValid(1);
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** A clean shutdown (SIGTERM), as an operator stopping MySQL would. */
    void stopMysql() throws InterruptedException {
        mysql.destroy();
        mysql.waitFor(30, TimeUnit.SECONDS);
    }

    /** @param keepData false starts Redis with an empty data folder, as a new or wiped machine */
    void startRedis(boolean keepData) throws IOException {
        startRedis(keepData, List.of());
    }

    /**
     * Redis as the one node of a Redis Cluster that owns every slot: each command, script and
     * transaction it runs must name keys of one slot (else CROSSSLOT, or a script's "non local
     * key" error), as on a cluster of many nodes, while one connection reaches everything.
     */
    void startClusterNode() throws IOException {
        startRedis(false, List.of("--cluster-enabled", "yes", "--cluster-config-file",
                dir.resolve("redis").resolve("nodes.conf").toString(), "--cluster-port", Integer.toString(freePort())));
        try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
            jedis.sendCommand(() -> SafeEncoder.encode("CLUSTER"), "ADDSLOTSRANGE", "0", "16383");
        }
        awaitUp("the cluster node owning every slot", () -> {
            try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
                return jedis.clusterInfo().contains("cluster_state:ok");
            }
        });
    }

    private void startRedis(boolean keepData, List<String> more) throws IOException {
        Path data = dir.resolve("redis");
        if (!keepData && Files.exists(data)) {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(data);
        List<String> command = new ArrayList<>(List.of(program("redis-server"), "--port", Integer.toString(redisPort),
                "--bind", "127.0.0.1", "--dir", data.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always"));
        command.addAll(more);
        command.addAll(List.of("--loadmodule", REDISEARCH, "TIMEOUT", "2000", "ON_TIMEOUT", "FAIL"));
        redis = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        awaitUp("Redis", () -> {
            try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
                return "PONG".equals(jedis.ping());
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** SIGKILL: Redis gets no chance to do anything. */
    void killRedis() throws InterruptedException {
        redis.destroyForcibly();
        redis.waitFor(10, TimeUnit.SECONDS);
    }

    static void awaitUp(String what, BooleanSupplier up) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!up.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not start within 60 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // poll interval
        }
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(log));
        }
    }

    /** Debian puts mariadbd in /usr/sbin, which is not always on PATH. */
    static String program(String name) {
        for (String folder : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(folder, name))) {
                return folder + "/" + name;
            }
        }
        return name;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        if (redis != null) {
            redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (mysql != null) {
            mysql.destroy();
            mysql.waitFor(30, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
