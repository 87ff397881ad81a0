package chatcache.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench command, in-process with a tiny configuration, against the servers of CHATCACHE_*
 * (those of {@code ./dev test}). It asserts that the run completes and produces every figure,
 * never what the figures are: timings belong to the benchmark, not to a test.
 *
 * <p>The command opens and closes its own program parts and uses its own chat (id 1000002000),
 * so it neither needs nor disturbs what other tests put in the stores; their reset empties it.
 */
class BenchSmokeIT {

    @Test
    void aTinyBenchCompletesWithEveryFigure(@TempDir Path dir) throws IOException {
        // why: Hibernate logs through jboss-logging; route it like the program does
        System.setProperty("org.jboss.logging.provider", "slf4j");
        Path out = dir.resolve("bench.md");
        BenchCommand command = new BenchCommand();
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            throw e; // a failure should show its stack trace, not just an exit code
        });

        int exit = cli.execute("--messages", "2000", "--depth", "500", "--clients", "2", "--seconds", "1",
                "--warmup", "1", "--out", out.toString());

        BenchResult result = command.result();
        assertNotNull(result, "the bench produced no result");
        assertEquals(0, exit, "exit code (non-zero means errors or mismatches)");
        assertEquals(BenchOptions.defaultChatId(2000), result.load().chatId());
        assertTrue(result.load().messages() >= 2000, "chat holds " + result.load().messages() + " messages");
        assertTrue(result.anchorId() > 0);
        assertFalse(result.machine().redisearch().isBlank());
        assertFalse(result.machine().database().isBlank());

        List<String> workloads = result.workloads().stream().map(Workload::name).toList();
        assertEquals(List.of("latest", "deep"), workloads);
        assertEquals(workloads.size() * Route.values().length, result.rows().size());
        for (String workload : workloads) {
            for (Route route : Route.values()) {
                BenchResult.Row row = result.row(workload, route)
                        .orElseThrow(() -> new AssertionError("no row " + workload + "/" + route));
                String what = workload + "/" + route.label() + ": ";
                assertTrue(row.requests() > 0, what + "no requests");
                assertTrue(row.requestsPerSecond() > 0, what + "requests/s " + row.requestsPerSecond());
                assertEquals(0, row.errors(), what + "errors, first: " + row.firstError());
                assertTrue(row.p50Millis() > 0 && row.p99Millis() >= row.p50Millis(),
                        what + "p50 " + row.p50Millis() + ", p99 " + row.p99Millis());
            }
            assertTrue(Double.isFinite(result.routeRatio(workload)), "redis/mysql ratio of " + workload);
        }
        for (Route route : Route.values()) {
            assertTrue(Double.isFinite(result.depthRatio("deep", route)), "deep/latest ratio on " + route);
        }

        assertEquals(workloads.size(), result.comparisons().size());
        for (BenchResult.Comparison c : result.comparisons()) {
            assertEquals(0, c.mismatches(), c.workload() + ": redis " + c.redisIds() + ", mysql " + c.mysqlIds());
            assertTrue(c.agree(), c.workload() + ": " + c);
            assertEquals(20, c.redisIds().size(), c.workload());
        }
        assertEquals(0, result.totalErrors());
        assertEquals(0, result.totalMismatches());

        String markdown = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(result.toMarkdown(), markdown);
        for (String workload : workloads) {
            for (Route route : Route.values()) {
                assertTrue(markdown.contains("| " + workload + " | " + route.label() + " | "), workload + "/" + route);
            }
        }
        assertTrue(markdown.contains("| deep / latest, redis |") && markdown.contains("| redis / mysql, deep |"));
        assertTrue(markdown.contains("RediSearch " + result.machine().redisearch()));
    }
}
