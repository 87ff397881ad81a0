package chatcache.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Chat-like message text of about 40 to 120 characters: short sentences of everyday words, now
 * and then a question, a number, Cyrillic or an emoji. Deterministic for a given {@link Random}
 * and sequence number: marker words that no other text holds go into fixed shares of the
 * messages by their sequence number in the chat ({@link #markers}), so that a word search has a
 * known number of matches (issue #10's "words" rows).
 */
final class ChatText {
    /** In 1 % of messages: those whose sequence number is 37 modulo 100. */
    static final String COMMON_MARKER = "zephyr";
    /** In 0.01 % of messages: those whose sequence number is 4,321 modulo 10,000 (none in a chat of 4,321 or fewer). */
    static final String RARE_MARKER = "quokka";
    /**
     * Two vocabulary words that co-occur in a few % of messages (each is in ~12 %); their share in
     * a chat is measured after loading, not assumed.
     */
    static final String TWO_WORDS = "coffee deploy";

    private static final String[] WORDS = {
            "the", "deploy", "is", "done", "can", "you", "check", "logs", "again", "please", "I", "think",
            "we", "should", "move", "meeting", "to", "tomorrow", "morning", "lunch", "coffee", "after",
            "build", "failed", "on", "main", "branch", "fixed", "it", "now", "thanks", "a", "lot", "for",
            "review", "looks", "good", "me", "ship", "when", "ready", "cache", "is", "warm", "Redis",
            "MySQL", "query", "slow", "fast", "page", "next", "week", "sprint", "plan", "ticket", "bug",
            "release", "notes", "draft", "send", "link", "call", "in", "five", "minutes", "ok", "sure",
            "sounds", "great", "let", "us", "try", "that", "first", "then", "see", "what", "happens",
            "customer", "asked", "about", "invoice", "numbers", "dashboard", "shows", "green", "all",
            "tests", "pass", "except", "one", "flaky", "retry", "later", "back", "from", "holiday",
    };
    private static final String[] EXTRAS = {
            "👍", "🚀", "☕", "✅", "😅", "🎉", "привет всем", "спасибо", "до завтра", "ок", "15:30", "#42",
            "v2.3.1", "~200 ms", "50%",
    };

    private ChatText() {
    }

    /** The marker words of the message with this sequence number (0 = the chat's first message). */
    static List<String> markers(long seq) {
        List<String> out = new ArrayList<>(2);
        if (seq % 100 == 37) {
            out.add(COMMON_MARKER);
        }
        if (seq % 10_000 == 4_321) {
            out.add(RARE_MARKER);
        }
        return out;
    }

    /** How many of the first {@code n} messages hold {@code marker} (one of the two above). */
    static long markedAmong(long n, String marker) {
        long period = marker.equals(COMMON_MARKER) ? 100 : 10_000;
        long offset = marker.equals(COMMON_MARKER) ? 37 : 4_321;
        return n / period + (n % period > offset ? 1 : 0);
    }

    /** A text of at most 120 characters holding the markers of message {@code seq}, each once, at random places. */
    static String next(Random random, long seq) {
        List<String> markers = markers(seq);
        if (markers.isEmpty()) {
            return next(random);
        }
        int room = markers.stream().mapToInt(m -> m.length() + 1).sum();
        List<String> words = new ArrayList<>(List.of(next(random, 120 - room).split(" ")));
        for (String marker : markers) {
            words.add(random.nextInt(words.size() + 1), marker);
        }
        return String.join(" ", words);
    }

    static String next(Random random) {
        return next(random, 120);
    }

    /** Text of at most {@code max} characters (and about 40..max). */
    private static String next(Random random, int max) {
        int target = 40 + random.nextInt(81); // 40..120
        target = Math.min(target, max);
        StringBuilder text = new StringBuilder(target + 16);
        boolean sentenceStart = true;
        while (text.length() < target) {
            String word = random.nextInt(12) == 0 ? EXTRAS[random.nextInt(EXTRAS.length)]
                    : WORDS[random.nextInt(WORDS.length)];
            if (text.length() + 1 + word.length() > max) {
                break;
            }
            if (!text.isEmpty()) {
                text.append(' ');
            }
            if (sentenceStart && Character.isLowerCase(word.charAt(0))) {
                word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
            }
            text.append(word);
            sentenceStart = false;
            if (text.length() > 20 && random.nextInt(7) == 0 && text.length() < max - 2) {
                text.append(random.nextInt(3) == 0 ? '?' : random.nextInt(2) == 0 ? '.' : ',');
                sentenceStart = text.charAt(text.length() - 1) != ',';
            }
        }
        char last = text.charAt(text.length() - 1);
        if (Character.isLetterOrDigit(last) && text.length() < max) {
            text.append(random.nextInt(4) == 0 ? '!' : '.');
        }
        return text.toString();
    }
}
