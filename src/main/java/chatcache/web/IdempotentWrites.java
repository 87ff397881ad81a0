package chatcache.web;

import chatcache.logging.ExceptionText;
import chatcache.message.IdempotencyClaim;
import chatcache.message.IdempotencyKeys;
import chatcache.message.MessageService;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} on posts and edits: the first request with a key makes the change and
 * its answer is kept (24 h, every instance sees it: MySQL); a repeat with the same key and the
 * same request gets that answer, with {@code Idempotent-Replayed: true}, and changes nothing; the
 * same key with another route or body is 422. A repeat that arrives while the first is still at
 * work waits for its answer (up to {@value #WAIT_MILLIS} ms, then 409).
 */
final class IdempotentWrites {
    private static final Logger log = LoggerFactory.getLogger(IdempotentWrites.class);
    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";
    /** Visible ASCII, as Stripe and the IETF draft allow; a UUID fits well within. */
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final long WAIT_MILLIS = 10_000;

    /** An answer to send: status and JSON body. */
    record Answer(int status, byte[] json) {
    }

    /** What a repeat gets when the first post committed but its answer was not recorded. */
    interface PostedAnswer {
        Answer of(long messageId);
    }

    private final MessageService messages;

    IdempotentWrites(MessageService messages) {
        this.messages = messages;
    }

    /**
     * Runs {@code write} (given the claim, or null without a key) at most once per key and sends
     * its answer, or the first answer of an earlier request with the same key.
     */
    void run(Context ctx, long userId, String body, Function<IdempotencyClaim, Answer> write, PostedAnswer posted) {
        String key = ctx.header(HEADER);
        if (key == null) {
            send(ctx, write.apply(null));
            return;
        }
        if (!KEY.matcher(key).matches()) {
            throw ApiException.badRequest(HEADER + " must be 1 to 255 visible ASCII characters");
        }
        IdempotencyKeys keys = messages.idempotencyKeys()
                .orElseThrow(() -> new ApiException(400, HEADER + " is not accepted by this server"));
        String request = digest(ctx.method() + " " + ctx.path() + "\n" + body);
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000L;
        while (true) {
            IdempotencyKeys.Outcome outcome = keys.claim(userId, key, request, messages.now());
            if (outcome instanceof IdempotencyKeys.Claimed claimed) {
                send(ctx, firstTime(keys, claimed.claim(), write));
                return;
            } else if (outcome instanceof IdempotencyKeys.Answered answered) {
                ctx.header(REPLAYED, "true");
                send(ctx, new Answer(answered.status(), answered.body().getBytes(StandardCharsets.UTF_8)));
                return;
            } else if (outcome instanceof IdempotencyKeys.Posted p) {
                ctx.header(REPLAYED, "true");
                send(ctx, posted.of(p.messageId()));
                return;
            } else if (outcome instanceof IdempotencyKeys.OtherRequest) {
                throw new ApiException(422, "this " + HEADER + " was used with another request (route or body): use a new key");
            }
            // in progress elsewhere: its answer comes within the time a request takes
            if (System.nanoTime() > deadline) {
                throw new ApiException(409, "a request with this " + HEADER + " is still in progress; retry later for its answer");
            }
            LockSupport.parkNanos(25_000_000L);
        }
    }

    private static Answer firstTime(IdempotencyKeys keys, IdempotencyClaim claim, Function<IdempotencyClaim, Answer> write) {
        Answer answer;
        try {
            answer = write.apply(claim);
        } catch (RuntimeException e) {
            try {
                keys.release(claim); // nothing was changed: a retry may go ahead
            } catch (RuntimeException releaseFailed) {
                // the claim is taken over once abandoned (IdempotencyKeys.ABANDONED_MILLIS)
            }
            throw e;
        }
        try {
            keys.answer(claim, answer.status(), new String(answer.json(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // a post's key already names its message; an edit repeated after this is made again, harmlessly
            log.warn("the answer to a request with an {} was not recorded: {}", HEADER, ExceptionText.summary(e));
        }
        return answer;
    }

    private static void send(Context ctx, Answer answer) {
        MessageHandlers.send(ctx, answer.status(), answer.json());
    }

    private static String digest(String request) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(request.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
