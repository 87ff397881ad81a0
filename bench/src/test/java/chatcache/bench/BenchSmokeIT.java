package chatcache.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench command, in-process with a tiny configuration, against the servers of CHATCACHE_*
 * (those of {@code ./dev test}). It asserts that the run completes and produces every figure,
 * never what the figures are: timings belong to the benchmark, not to a test.
 *
 * <p>The command opens and closes its own program parts and uses its own chats (ids 1010001000,
 * 1010005000, background chats from 1500000000, writes into 1900000000), so it does not disturb
 * what other tests put in the stores; their reset empties them. It starts from empty stores
 * itself: a Failsafe pass against the other Redis (RediSearch 2.x) truncates MySQL and leaves this
 * Redis's copy of an earlier bench in place, whose message ids the new load would reuse.
 */
class BenchSmokeIT {

    @Test
    void aTinyBenchCompletesWithEveryFigure(@TempDir Path dir) throws IOException {
        // why: Hibernate logs through jboss-logging; route it like the program does
        System.setProperty("org.jboss.logging.provider", "slf4j");
        chatcache.support.TestStores.get().reset();
        Path out = dir.resolve("bench.md");
        Path png = dir.resolve("bench.png");
        BenchCommand command = new BenchCommand();
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            throw e; // a failure should show its stack trace, not just an exit code
        });

        // why 5,000: the smallest chat whose rare marker word (one message in 10,000, from the 4,322nd) is found once
        int exit = cli.execute("--sizes", "1000,5000", "--depth", "500", "--clients", "2", "--seconds", "1",
                "--round-ms", "150", "--warmup-ms", "200", "--warmup-passes", "1", "--background", "5x20",
                "--writers", "4", "--out", out.toString(), "--png", png.toString());

        BenchResult result = command.result();
        assertNotNull(result, "the bench produced no result");
        assertEquals(0, exit, "exit code (non-zero means errors or mismatches)");
        assertEquals(List.of(1000, 5000), result.sizes().stream().map(BenchResult.Size::messages).toList());
        for (BenchResult.Size s : result.sizes()) {
            assertEquals(1_010_000_000L + s.messages(), s.load().chatId());
            assertTrue(s.load().messages() >= s.messages(), "chat holds " + s.load().messages() + " messages");
            assertEquals(List.of("latest", "author", "deep", "authors", "since", "unread 50%", "unread 5%", "words 1%",
                    "words 0.01%", "two words"), s.workloads().stream().map(Workload::name).toList());
            assertTrue(s.workloads().get(1).authorId() > 0);
            assertTrue(s.workloads().get(2).anchorId() > 0);
            Map<String, Workload> byName = s.workloads().stream().collect(Collectors.toMap(Workload::name, w -> w));
            // the read state and the marker words are laid out by the load, so these counts are known
            assertEquals(20, byName.get("unread 50%").expectedMessages(), byName.get("unread 50%").description());
            assertTrue(byName.get("unread 5%").expectedMessages() > 0, byName.get("unread 5%").description());
            assertTrue(byName.get("unread 50%").anonymous() && byName.get("unread 5%").anonymous());
            assertEquals(s.messages() == 1000 ? 10 : 20, byName.get("words 1%").expectedMessages());
            assertEquals(s.messages() == 1000 ? 0 : 1, byName.get("words 0.01%").expectedMessages());
            assertTrue(byName.get("two words").expectedMessages() > 0, byName.get("two words").description());
            assertTrue(s.redis().totalPerMessage() > 0 && Double.isFinite(s.redis().totalPerMessage()),
                    "Redis bytes/message " + s.redis());
            assertTrue(s.redis().indexBytesPerMessage() > 0, "index bytes/message " + s.redis());
        }
        assertFalse(result.machine().redisearch().isBlank());
        assertFalse(result.machine().database().isBlank());
        assertTrue(result.background().contains("5 background chats"), result.background());
        assertTrue(result.warmup().startsWith("1 pass"), result.warmup());

        for (BenchResult.Size s : result.sizes()) {
            for (String workload : result.readWorkloads()) {
                for (String path : result.readPaths()) {
                    if (!result.hasRawBaseline(workload) && !path.equals(BenchResult.REDIS) && !path.equals(BenchResult.MYSQL)) {
                        continue; // the filter rows have no raw baseline
                    }
                    BenchResult.Row row = result.row(s.messages(), workload, path, 2)
                            .orElseThrow(() -> new AssertionError("no row " + workload + "/" + path));
                    String what = s.messages() + " " + workload + "/" + path + ": ";
                    assertTrue(row.requests() > 0, what + "no requests");
                    assertTrue(row.requestsPerSecond() > 0, what + "requests/s " + row.requestsPerSecond());
                    assertEquals(0, row.errors(), what + "errors, first: " + row.firstError());
                    assertTrue(row.p50Millis() > 0 && row.p99Millis() >= row.p50Millis(),
                            what + "p50 " + row.p50Millis() + ", p99 " + row.p99Millis());
                    assertEquals(path.equals(BenchResult.REDIS), !row.mysqlStatements().isEmpty(), what + "counters");
                }
                assertTrue(Double.isFinite(result.routeThroughputRatio(s.messages(), workload, 2)));
                if (result.hasRawBaseline(workload)) {
                    assertTrue(Double.isFinite(result.appOverRaw(s.messages(), workload, BenchResult.REDIS, 2)));
                    assertTrue(Double.isFinite(result.appOverRaw(s.messages(), workload, BenchResult.MYSQL, 2)));
                }
                assertTrue(Double.isFinite(result.row(s.messages(), workload, BenchResult.REDIS, 2).orElseThrow()
                        .statementsPerRequest(result.idleStatementsPerSecond())));
            }
        }
        for (String workload : result.readWorkloads()) {
            for (String path : result.readPaths()) {
                if (result.hasRawBaseline(workload) || path.equals(BenchResult.REDIS) || path.equals(BenchResult.MYSQL)) {
                    assertTrue(Double.isFinite(result.sizeRatio(workload, path, 2)), "size ratio " + workload + "/" + path);
                }
            }
        }

        for (BenchResult.Size s : result.sizes()) {
            for (String path : List.of(BenchResult.REDIS, BenchResult.MYSQL)) {
                BenchResult.Row row = result.row(s.messages(), BenchResult.UNDER_WRITES, path, 2)
                        .orElseThrow(() -> new AssertionError("no row under writes on " + path));
                String what = s.messages() + " under writes/" + path + ": ";
                assertTrue(row.requests() > 0, what + "no requests");
                assertEquals(0, row.errors(), what + "errors, first: " + row.firstError());
                assertNotNull(row.writers(), what + "no writers");
                assertEquals(4, row.writers().clients());
                assertTrue(row.writers().requests() > 0 && row.writers().postsPerSecond() > 0, what + row.writers());
                assertEquals(0, row.writers().errors(), what + "writer errors, first: " + row.writers().firstError());
                assertTrue(Double.isFinite(result.underWritesP99Ratio(s.messages(), path, 2)), what + "p99 ratio");
            }
            assertTrue(Double.isFinite(result.routeThroughputRatio(s.messages(), BenchResult.UNDER_WRITES, 2)));
        }

        BenchResult.Row write = result.row(0, "write", BenchResult.WRITE, 2).orElseThrow();
        assertTrue(write.requests() > 0);
        assertEquals(0, write.errors(), "write errors, first: " + write.firstError());
        assertNotNull(result.marks());
        assertTrue(result.marks().marked() > 0, "marks " + result.marks());
        assertEquals(0, result.marks().streamLeft(), "read-mark stream not drained: " + result.marks());

        assertTrue(result.mysqlFootprint().rows() > 0 && result.mysqlFootprint().perRow() > 0);

        assertFalse(result.comparisons().isEmpty());
        for (String workload : result.readWorkloads()) {
            assertTrue(result.comparisons().stream().anyMatch(c -> c.workload().equals(workload) && !c.afterMeasuring()),
                    workload + " before measuring");
            assertTrue(result.comparisons().stream().anyMatch(c -> c.workload().equals(workload) && c.afterMeasuring()),
                    workload + " after measuring");
        }
        for (BenchResult.Comparison c : result.comparisons()) {
            assertEquals(0, c.mismatches(), c.workload() + ": redis " + c.redisIds() + ", mysql " + c.mysqlIds());
            assertTrue(c.agree(), c.workload() + ": " + c);
        }
        assertEquals(0, result.totalErrors());
        assertEquals(0, result.totalMismatches());

        String markdown = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(result.toMarkdown(), markdown);
        for (String workload : result.readWorkloads()) {
            assertTrue(markdown.contains("### " + workload + ", N = 5,000"), workload);
            for (String path : result.readPaths()) {
                assertTrue(markdown.contains("| 2 | " + path + " | "), path);
            }
        }
        assertTrue(markdown.contains("### Ratios") && markdown.contains("### Writes") && markdown.contains("### Memory")
                && markdown.contains("### Never partial") && markdown.contains("Read marks on the Redis route")
                && markdown.contains("### Newest page under writes"));
        assertTrue(markdown.contains("RediSearch " + result.machine().redisearch()));
        assertFalse(markdown.contains("NaN"), markdown);

        assertTrue(Files.size(png) > 0, "empty PNG");
        byte[] magic = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, magic, "not a PNG");
    }
}
