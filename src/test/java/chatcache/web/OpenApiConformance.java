package chatcache.web;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Holds every HTTP test to the OpenAPI document: the shared clients ({@link ApiClient#send},
 * {@link RawHttp#send}) hand each answer to {@link #observe}, and a test whose answers did not
 * conform fails once it has run (a test may send from several threads, and must not stop at
 * the first answer while it checks others), naming each exchange and what was wrong.
 */
final class OpenApiConformance implements AfterEachCallback, AfterAllCallback {
    private static final int SHOWN = 20;
    private static final Queue<String> PROBLEMS = new ConcurrentLinkedQueue<>();

    static void observe(ApiDocument.Exchange exchange) {
        PROBLEMS.addAll(ApiDocument.get().problems(exchange));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        report();
    }

    /** Answers received in {@code @BeforeAll} or {@code @AfterAll} methods. */
    @Override
    public void afterAll(ExtensionContext context) {
        report();
    }

    private static void report() {
        List<String> found = new ArrayList<>();
        for (String p = PROBLEMS.poll(); p != null; p = PROBLEMS.poll()) {
            found.add(p);
        }
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " answer(s) do not conform to openapi.json:\n  "
                    + String.join("\n  ", found.subList(0, Math.min(SHOWN, found.size())))
                    + (found.size() > SHOWN ? "\n  ..." : ""));
        }
    }
}
