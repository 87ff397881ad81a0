package chatcache.message;

import chatcache.core.Message;
import chatcache.query.Slice;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Both stores' translations of the reads one page needed, side by side and in order: what
 * {@code "explain": true} shows; and, for a page of the Redis route that reached below the window
 * Redis holds of the chat, the MySQL statements that continued it ({@code continuation}). The pager's steps (the anchor lookup, each slice) are recorded
 * while whichever store answers; each step is then translated by both stores' mappers. The keys a
 * Redis search is restricted to (INKEYS) are those of the step's answer, which both stores agree on.
 */
public record Explain(List<Statement> mysql, List<List<String>> redis, List<Statement> continuation) {

    /** A SQL statement with its parameters in order ({@code ?} placeholders). */
    public record Statement(String sql, List<Object> parameters) {
    }

    /** How a store translates the pager's steps. */
    public interface Translator<T> {
        /** The reads that find one message of a chat (the anchor). */
        List<T> find(long chatId, long messageId);

        /** The reads of one slice whose answer was these messages' ids, in order. */
        List<T> slice(Slice slice, List<Long> answerIds);
    }

    /** Both stores' translators. */
    public record Translators(Translator<Statement> mysql, Translator<List<String>> redis) {
        /** For services that never explain (tests that wire their own). */
        public static final Translators NONE = new Translators(none(), none());

        private static <T> Translator<T> none() {
            return new Translator<>() {
                @Override
                public List<T> find(long chatId, long messageId) {
                    return List.of();
                }

                @Override
                public List<T> slice(Slice slice, List<Long> answerIds) {
                    return List.of();
                }
            };
        }
    }

    /** A backend that records the steps asked of it, to be translated afterwards. */
    static final class Recording implements MessageBackend {
        private sealed interface Step {
        }

        private record Find(long chatId, long messageId) implements Step {
        }

        private record SliceStep(Slice slice, List<Long> answerIds) implements Step {
        }

        private final MessageBackend backend;
        private final List<Step> steps = new ArrayList<>();

        Recording(MessageBackend backend) {
            this.backend = backend;
        }

        @Override
        public String name() {
            return backend.name();
        }

        @Override
        public Optional<Message> find(long chatId, long messageId) {
            steps.add(new Find(chatId, messageId));
            return backend.find(chatId, messageId);
        }

        @Override
        public List<Message> slice(Slice slice) {
            List<Message> answer = backend.slice(slice);
            steps.add(new SliceStep(slice, answer.stream().map(Message::id).toList()));
            return answer;
        }

        @Override
        public List<Long> markRead(long chatId, java.util.Collection<Long> ids) {
            return backend.markRead(chatId, ids);
        }

        Explain translate(Translators translators, List<JoinedPage.Continued> continued) {
            List<Statement> continuation = new ArrayList<>();
            for (JoinedPage.Continued c : continued) {
                continuation.addAll(translators.mysql().slice(c.slice(), c.answerIds()));
            }
            return new Explain(translate(translators.mysql()), translate(translators.redis()), continuation);
        }

        private <T> List<T> translate(Translator<T> store) {
            List<T> out = new ArrayList<>();
            for (Step step : steps) {
                if (step instanceof Find f) {
                    out.addAll(store.find(f.chatId(), f.messageId()));
                } else if (step instanceof SliceStep s) {
                    out.addAll(store.slice(s.slice(), s.answerIds()));
                }
            }
            return out;
        }
    }
}
