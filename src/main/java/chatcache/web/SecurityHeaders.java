package chatcache.web;

import java.util.function.BiConsumer;

/** Headers on every answer: API answers are neither to be sniffed as another type nor cached. */
final class SecurityHeaders {
    private SecurityHeaders() {
    }

    static void apply(BiConsumer<String, String> header) {
        header.accept("X-Content-Type-Options", "nosniff");
        header.accept("Cache-Control", "no-store");
    }
}
