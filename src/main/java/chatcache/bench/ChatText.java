package chatcache.bench;

import java.util.Random;

/**
 * Chat-like message text of about 40 to 120 characters: short sentences of everyday words, now
 * and then a question, a number, Cyrillic or an emoji. Deterministic for a given {@link Random}.
 */
final class ChatText {
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

    static String next(Random random) {
        int target = 40 + random.nextInt(81); // 40..120
        StringBuilder text = new StringBuilder(target + 16);
        boolean sentenceStart = true;
        while (text.length() < target) {
            String word = random.nextInt(12) == 0 ? EXTRAS[random.nextInt(EXTRAS.length)]
                    : WORDS[random.nextInt(WORDS.length)];
            if (text.length() + 1 + word.length() > 120) {
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
            if (text.length() > 20 && random.nextInt(7) == 0 && text.length() < 118) {
                text.append(random.nextInt(3) == 0 ? '?' : random.nextInt(2) == 0 ? '.' : ',');
                sentenceStart = text.charAt(text.length() - 1) != ',';
            }
        }
        char last = text.charAt(text.length() - 1);
        if (Character.isLetterOrDigit(last) && text.length() < 120) {
            text.append(random.nextInt(4) == 0 ? '!' : '.');
        }
        return text.toString();
    }
}
