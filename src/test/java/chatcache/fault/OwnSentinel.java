package chatcache.fault;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis primary with RediSearch, its replica, and three sentinels watching them (quorum 2),
 * as child processes of this test, with one password for all: a test may stop, freeze and kill
 * them. Failover is quick (the primary is taken as down after {@value #DOWN_AFTER_MS} ms).
 */
final class OwnSentinel implements AutoCloseable {
    static final String MASTER = "chatcache-test";
    static final String PASSWORD = "sentinel-test-password";
    private static final int DOWN_AFTER_MS = 1_500;
    private static final String REDISEARCH = System.getenv().getOrDefault("CHATCACHE_TEST_REDISEARCH_MODULE",
            "/usr/lib/redis/modules/redisearch.so");

    private final Path dir;
    /** The two data nodes, by port; which one is primary changes with a failover. */
    final List<Integer> dataPorts = List.of(OwnServers.freePort(), OwnServers.freePort());
    final List<Integer> sentinelPorts = List.of(OwnServers.freePort(), OwnServers.freePort(), OwnServers.freePort());
    private final Map<Integer, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();

    OwnSentinel() throws IOException {
        dir = Files.createTempDirectory("chatcache-sentinel");
        try {
            start();
        } catch (IOException | RuntimeException e) {
            closeQuietly(); // why: nobody else holds this object yet to stop what it started
            throw e;
        }
    }

    private void start() throws IOException {
        startData(dataPorts.get(0), null);
        startData(dataPorts.get(1), dataPorts.get(0));
        awaitInSync(dataPorts.get(0));
        for (int port : sentinelPorts) {
            Path conf = dir.resolve("sentinel-" + port + ".conf");
            Files.writeString(conf, String.join("\n",
                    "port " + port, "bind 127.0.0.1", "dir " + dir,
                    "requirepass " + PASSWORD, "sentinel sentinel-pass " + PASSWORD,
                    "sentinel monitor " + MASTER + " 127.0.0.1 " + dataPorts.get(0) + " 2",
                    "sentinel auth-pass " + MASTER + " " + PASSWORD,
                    "sentinel down-after-milliseconds " + MASTER + " " + DOWN_AFTER_MS,
                    "sentinel failover-timeout " + MASTER + " 10000",
                    "sentinel parallel-syncs " + MASTER + " 1", ""));
            start(port, List.of(OwnServers.program("redis-server"), conf.toString(), "--sentinel"));
            OwnServers.awaitUp("sentinel " + port, () -> ping(port));
        }
        // why: a sentinel that has not yet seen the replica (INFO every 10 s at first) could not promote it
        OwnServers.awaitUp("the sentinels seeing the replica", () -> sentinelPorts.stream().allMatch(this::seesReplica));
    }

    /** CHATCACHE_* settings that reach these servers through the sentinels. */
    Map<String, String> env() {
        return WithOwnServers.sameLayout(Map.of("CHATCACHE_REDIS_SENTINEL_MASTER", MASTER,
                "CHATCACHE_REDIS_SENTINEL_NODES", sentinelPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")),
                "CHATCACHE_REDIS_SENTINEL_PASSWORD", PASSWORD,
                "CHATCACHE_REDIS_SENTINEL_NODES_PASSWORD", PASSWORD));
    }

    /** Starts a data node again, empty and as a primary, as a host that came back would: Sentinel makes it a replica. */
    void restart(int port) throws IOException {
        startData(port, null);
    }

    private void startData(int port, Integer primary) throws IOException {
        Path data = dir.resolve("redis-" + port);
        Files.createDirectories(data);
        List<String> command = new ArrayList<>(List.of(OwnServers.program("redis-server"), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", data.toString(), "--save", "", "--appendonly", "no",
                "--requirepass", PASSWORD, "--masterauth", PASSWORD,
                "--loadmodule", REDISEARCH, "TIMEOUT", "2000", "ON_TIMEOUT", "FAIL"));
        if (primary != null) {
            command.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(primary)));
        }
        start(port, command);
        OwnServers.awaitUp("Redis " + port, () -> ping(port));
    }

    private void start(int port, List<String> command) throws IOException {
        processes.put(port, new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("node-" + port + ".log").toFile()).start());
    }

    /** The port of the data node that calls itself primary now (-1 if none does). */
    int primary() {
        for (int port : dataPorts) {
            try (Jedis jedis = connect(port)) {
                if (jedis.info("replication").contains("role:master")) {
                    return port;
                }
            } catch (RuntimeException e) {
                // down: not the primary
            }
        }
        return -1;
    }

    /** The other data node. */
    int replicaOf(int primary) {
        return dataPorts.get(0) == primary ? dataPorts.get(1) : dataPorts.get(0);
    }

    /** Waits until the primary's replica has taken everything it was sent (a write of its own acknowledged). */
    void awaitInSync(int primary) {
        OwnServers.awaitUp("the replica in sync with " + primary, () -> {
            try (Jedis jedis = connect(primary)) {
                jedis.incr("test:sync"); // why: WAIT answers for this connection's writes only
                return jedis.info("replication").contains("state=online") && jedis.waitReplicas(1, 200) >= 1;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /** The replicas the node says it has connected. */
    int connectedReplicas(int port) {
        try (Jedis jedis = connect(port)) {
            String info = jedis.info("replication");
            int at = info.indexOf("connected_slaves:");
            return at < 0 ? 0 : Integer.parseInt(info.substring(at + "connected_slaves:".length()).split("\\s")[0]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** SIGKILL: the node gets no chance to do anything. */
    void kill(int port) throws InterruptedException {
        Process p = processes.remove(port);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP and SIGCONT: a node that answers nothing (and notices nothing) until it goes on. */
    void freeze(int port) throws IOException, InterruptedException {
        signal(port, "STOP");
    }

    void thaw(int port) throws IOException, InterruptedException {
        signal(port, "CONT");
    }

    private void signal(int port, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(processes.get(port).pid())).start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed");
        }
    }

    Jedis connect(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().password(PASSWORD)
                .protocol(RedisProtocol.RESP2).connectionTimeoutMillis(1_000).socketTimeoutMillis(2_000).build());
    }

    private boolean ping(int port) {
        try (Jedis jedis = connect(port)) {
            return "PONG".equals(jedis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean seesReplica(int sentinel) {
        try (Jedis jedis = connect(sentinel)) {
            return !jedis.sentinelReplicas(MASTER).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        for (Process p : processes.values()) {
            p.destroyForcibly(); // SIGKILL: also a frozen (SIGSTOP) node
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
