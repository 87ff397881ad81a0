package chatcache.bench;

import chatcache.ChatCache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

/** Where the figures were taken. Clients, app and both servers share these CPUs. */
public record Machine(int cpus, String cpuModel, String os, String java, String database, String redis,
                      String redisearch) {

    static Machine describe(ChatCache cache) {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                readCpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                databaseVersion(cache),
                redisVersion(cache),
                cache.searchIndex().versionText());
    }

    String line() {
        return cpus + " CPUs (nproc)" + (cpuModel.isEmpty() ? "" : ", " + cpuModel) + "; " + os + "; Java " + java
                + "; MySQL/MariaDB " + database + "; Redis " + redis + " with RediSearch " + redisearch;
    }

    private static String readCpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String databaseVersion(ChatCache cache) {
        try (Connection c = cache.database().dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String redisVersion(ChatCache cache) {
        try {
            List<String> versions = cache.redis().onEveryPrimary("say its version", jedis -> {
                for (String line : jedis.info("server").split("\r?\n")) {
                    if (line.startsWith("redis_version:")) {
                        return line.substring("redis_version:".length()).strip();
                    }
                }
                return "unknown";
            });
            return versions.size() == 1 ? versions.get(0) : versions.get(0) + " (a cluster of " + versions.size() + " primaries)";
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
