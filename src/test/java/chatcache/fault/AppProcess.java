package chatcache.fault;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A chatcache server as a process of its own (`chatcache serve`, from this test's class path), so
 * that a test can kill it with SIGKILL or stop it with SIGTERM like an orchestrator does.
 */
final class AppProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final int port = OwnServers.freePort();
    final Path log;
    private final Process process;

    /** Starts a server on a free port, with these settings besides the port, and waits until it is ready. */
    AppProcess(String name, Map<String, String> env, Path dir) throws IOException {
        this.log = dir.resolve(name + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m",
                // why: the class path holds the tests' logback-test.xml (warnings only); a server logs as shipped
                "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
                "chatcache.App", "serve"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // why off: these tests load a server as fast as they can, with a few users from one address
        builder.environment().put("CHATCACHE_RATE_LIMIT_PER_MINUTE", "0");
        builder.environment().put("CHATCACHE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "0");
        builder.environment().putAll(env);
        builder.environment().put("CHATCACHE_BIND", "127.0.0.1");
        builder.environment().put("CHATCACHE_PORT", Integer.toString(port));
        this.process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (status("/health/ready") != 200) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not become ready; its log: " + Files.readString(log));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** kill -9: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, as `docker stop` or Kubernetes sends; returns at once. */
    void signalTerminate() {
        process.destroy();
    }

    /** The exit code, or -1 if the process did not end in time. */
    int awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
