package chatcache.support;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisProtocol;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A Redis Cluster of this test's own: 3 primaries, each with a replica, as child processes it may
 * kill, and slots it may move by hand. In the RediSearch 2.x test pass every node loads that
 * module (CHATCACHE_TEST_REDISEARCH_MODULE); in the 1.2 pass none does (Debian's 1.2 is not used
 * on a cluster). A node is taken as failed after {@value #NODE_TIMEOUT_MS} ms.
 */
public final class OwnCluster implements AutoCloseable {
    public static final String PASSWORD = "cluster-test-password";
    private static final int NODE_TIMEOUT_MS = 1_500;
    private static final int PRIMARIES = 3;

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final Map<Integer, Process> processes = new ConcurrentHashMap<>();
    private final Map<Integer, List<String>> commands = new ConcurrentHashMap<>();
    private final Optional<String> module = Optional.ofNullable(System.getenv("CHATCACHE_TEST_REDISEARCH_MODULE"))
            .filter(m -> !m.isBlank() && !m.startsWith("${"));

    public OwnCluster() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("chatcache-cluster");
        try {
            start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close(); // why: nobody else holds this object yet to stop what it started
            throw e;
        }
    }

    private void start() throws IOException, InterruptedException {
        for (int i = 0; i < 2 * PRIMARIES; i++) {
            int port = freePort();
            ports.add(port);
            Path data = dir.resolve("node-" + port);
            Files.createDirectories(data);
            List<String> command = new ArrayList<>(List.of(program("redis-server"), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--dir", data.toString(), "--save", "", "--appendonly", "no",
                    // why explicit: port + 10000 may be in the kernel's range of ephemeral ports
                    "--cluster-port", Integer.toString(freePort()),
                    "--cluster-enabled", "yes", "--cluster-config-file", data.resolve("nodes.conf").toString(),
                    "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MS),
                    "--requirepass", PASSWORD, "--masterauth", PASSWORD));
            module.ifPresent(m -> command.addAll(List.of("--loadmodule", m, "TIMEOUT", "2000", "ON_TIMEOUT", "FAIL")));
            commands.put(port, command);
            launch(port);
        }
        List<String> create = new ArrayList<>(List.of(program("redis-cli"), "--cluster", "create"));
        ports.forEach(p -> create.add("127.0.0.1:" + p));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        ProcessBuilder builder = new ProcessBuilder(create).redirectErrorStream(true)
                .redirectOutput(dir.resolve("create.log").toFile());
        builder.environment().put("REDISCLI_AUTH", PASSWORD); // why not -a: it would show in ps
        Process p = builder.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("redis-cli --cluster create did not end within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.log")));
        }
        await("the cluster ok on every node", () -> ports.stream().allMatch(this::clusterOk));
        await("every replica in sync", () -> ports.stream().filter(this::isPrimary).allMatch(this::replicated));
    }

    /** Whether the nodes load a RediSearch module (the 2.x test pass). */
    public boolean hasSearch() {
        return module.isPresent();
    }

    public List<HostAndPort> seeds() {
        return ports.stream().map(p -> new HostAndPort("127.0.0.1", p)).toList();
    }

    public static JedisClientConfig client() {
        return DefaultJedisClientConfig.builder().password(PASSWORD).protocol(RedisProtocol.RESP2)
                .connectionTimeoutMillis(1_000).socketTimeoutMillis(5_000).build();
    }

    public Jedis connect(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), client());
    }

    /** The port of the primary that owns the slot, as the first live node that answers says. */
    public int ownerOf(int slot) {
        for (int port : livePorts()) {
            int owner = ownerSeenBy(port, slot);
            if (owner > 0) {
                return owner;
            }
        }
        throw new IllegalStateException("no node says who owns slot " + slot);
    }

    /** Another live primary than this one. */
    public int otherPrimary(int port) {
        return livePorts().stream().filter(p -> p != port && isPrimary(p)).findFirst().orElseThrow();
    }

    /**
     * The first half of a slot's move, as {@code redis-cli --cluster reshard} does it: the
     * destination imports it, the source migrates it, and the source's keys of the slot are moved
     * (MIGRATE); the slot still belongs to the source, which answers ASK for keys that moved.
     */
    public void beginMove(int slot, int from, int to) {
        try (Jedis source = connect(from); Jedis target = connect(to)) {
            target.clusterSetSlotImporting(slot, source.clusterMyId());
            source.clusterSetSlotMigrating(slot, target.clusterMyId());
            List<String> keys;
            while (!(keys = source.clusterGetKeysInSlot(slot, 100)).isEmpty()) {
                List<String> args = new ArrayList<>(List.of("127.0.0.1", Integer.toString(to), "", "0", "5000",
                        "AUTH", PASSWORD, "KEYS"));
                args.addAll(keys);
                source.sendCommand(redis.clients.jedis.Protocol.Command.MIGRATE, args.toArray(String[]::new));
            }
        }
    }

    /** The second half: every primary is told the slot's new owner. */
    public void finishMove(int slot, int to) {
        String target;
        try (Jedis jedis = connect(to)) {
            target = jedis.clusterMyId();
            jedis.clusterSetSlotNode(slot, target);
        }
        for (int port : livePorts()) {
            if (isPrimary(port) && port != to) {
                try (Jedis jedis = connect(port)) {
                    jedis.clusterSetSlotNode(slot, target);
                }
            }
        }
        await("every node agreeing on slot " + slot, () -> livePorts().stream().allMatch(p -> ownerSeenBy(p, slot) == to));
    }

    /** The owner of the slot as this node's map says (-1: it cannot say). */
    private int ownerSeenBy(int port, int slot) {
        try (Jedis jedis = connect(port)) {
            for (Object range : jedis.clusterSlots()) {
                List<?> r = (List<?>) range;
                if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                    return ((Long) ((List<?>) r.get(2)).get(1)).intValue();
                }
            }
        } catch (RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void launch(int port) throws IOException {
        processes.put(port, new ProcessBuilder(commands.get(port)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + port + ".log").toFile())).start());
        await("Redis " + port, () -> ping(port));
    }

    /**
     * Starts a killed node again, as it was configured (its nodes.conf kept, its data not: no
     * dump, no AOF), and waits until it is a replica in sync: a primary failed over comes back as
     * its promoted replica's replica.
     */
    public void restart(int port) throws IOException {
        launch(port);
        await("node " + port + " back as a replica in sync", () -> !isPrimary(port) && inSync(port));
    }

    private boolean inSync(int port) {
        try (Jedis jedis = connect(port)) {
            String info = jedis.info("replication");
            return info.contains("master_link_status:up") && !info.contains("master_sync_in_progress:1");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The port of a replica of this primary, as it says. */
    public int replicaOf(int primary) {
        try (Jedis jedis = connect(primary)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("slave\\d+:ip=[^,]*,port=(\\d+)").matcher(jedis.info("replication"));
            if (!m.find()) {
                throw new IllegalStateException("primary " + primary + " has no replica");
            }
            return Integer.parseInt(m.group(1));
        }
    }

    /**
     * Cuts a replica off its primary: a wrong {@code masterauth} and its replication link closed,
     * so it stays as it was while the primary takes writes (why not SIGSTOP: the kernel keeps
     * receiving the replication stream for a stopped process, which reads it all once resumed).
     * It is still taken for an up-to-date replica by the cluster (for the node timeout times the
     * replica validity factor), so it can be promoted.
     */
    public void cutOff(int replica) {
        try (Jedis jedis = connect(replica)) {
            jedis.configSet("masterauth", "not-the-password");
            jedis.clientKill(redis.clients.jedis.params.ClientKillParams.clientKillParams()
                    .type(redis.clients.jedis.args.ClientType.MASTER));
        }
        await("replica " + replica + " cut off", () -> {
            try (Jedis jedis = connect(replica)) {
                return jedis.info("replication").contains("master_link_status:down");
            }
        });
    }

    /** Gives a node cut off by {@link #cutOff} its password back (for when it is a replica again). */
    public void reconnect(int port) {
        try (Jedis jedis = connect(port)) {
            jedis.configSet("masterauth", PASSWORD);
        }
    }

    /** SIGKILL: the node gets no chance to do anything. */
    public void kill(int port) throws InterruptedException {
        Process p = processes.remove(port);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Waits until a condition holds (polled), failing after a minute. */
    public static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // poll interval
        }
    }

    private List<Integer> livePorts() {
        return ports.stream().filter(processes::containsKey).toList();
    }

    private boolean ping(int port) {
        try (Jedis jedis = connect(port)) {
            return "PONG".equals(jedis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean clusterOk(int port) {
        try (Jedis jedis = connect(port)) {
            return jedis.clusterInfo().contains("cluster_state:ok");
        } catch (RuntimeException e) {
            return false;
        }
    }

    public boolean isPrimary(int port) {
        try (Jedis jedis = connect(port)) {
            return jedis.info("replication").contains("role:master");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean replicated(int port) {
        try (Jedis jedis = connect(port)) {
            return jedis.info("replication").contains("state=online");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String program(String name) {
        for (String folder : List.of("/usr/bin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(folder, name))) {
                return folder + "/" + name;
            }
        }
        return name;
    }

    @Override
    public void close() {
        processes.values().forEach(Process::destroyForcibly);
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
