package chatcache.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated message texts for property tests: runs of letters of many scripts, emoji (surrogate
 * pairs), combining marks, punctuation, whitespace and the code points that trip case folding and
 * normalisation. Deterministic for a given {@link Random}.
 */
public final class RandomTexts {
    private RandomTexts() {
    }

    private static final List<String> PUNCTUATION = List.of(",", ".", "'", "’", "-", "_", "!", "?", "\"", ":",
            ";", "/", "\\", "|", "{", "}", "@", "#", "*", "(", ")", "[", "]");
    private static final List<String> WHITESPACE = List.of(" ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u3000",
            "\u2003", "\u200B");
    private static final List<String> TRICKY = List.of("İ", "ı", "ß", "ẞ", "ς", "Σ", "ﬁ", "ＡＢＣ", "ー", "ｰ", "ـ",
            "\u200D", "\u200C", "\u00AD", "\uFE0F", "👍🏽", "👨\u200D👩\u200D👧", "1️⃣", "ǅ", "ŉ", "ǰ", "ΐ", "ᾳ",
            "\u0345", "\uD800", "\uDC00", "K", "Å", "µ", "①", "²", "١٢٣", "ガ", "ｶﾞ", "\u093F", "\u20DD");
    public static final List<String> SEPARATORS = List.of(" ", ", ", ".", "!", "?", "'", "-", "_", "\n", "\t",
            "\u3000", "\u200B", "。", "、", "👍🏽", "👨\u200D👩\u200D👧", " 1️⃣ ", "\"", "(", ")", "/");
    /** Blocks of code points a run is drawn from. */
    private static final int[][] BLOCKS = {
            {0x00A0, 0x00FF},   // Latin-1
            {0x0400, 0x04FF},   // Cyrillic
            {0x0370, 0x03FF},   // Greek
            {0x1F00, 0x1FFF},   // Greek with accents and iota subscripts
            {0x4E00, 0x9FFF},   // CJK
            {0x3040, 0x30FF},   // kana
            {0xFF00, 0xFFEF},   // fullwidth and halfwidth forms
            {0x1F300, 0x1FAFF}, // emoji (surrogate pairs)
            {0x20000, 0x2A6DF}, // CJK extension B (surrogate pairs)
            {0x0300, 0x036F},   // combining accents
            {0x0900, 0x097F},   // Devanagari, with Mn and Mc marks
            {0x0E00, 0x0E7F},   // Thai
            {0xAC00, 0xD7A3},   // Hangul syllables
            {0x1100, 0x11FF},   // Hangul jamo
            {0x0600, 0x06FF},   // Arabic
            {0x0000, 0x10FFFF}, // anything, unpaired surrogates included
    };

    /** 0 to 24 pieces; a piece is a run of one kind, so that runs of letters form words. */
    public static List<String> pieces(Random random) {
        int count = random.nextInt(25);
        List<String> pieces = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(BLOCKS.length + 6);
            if (kind < BLOCKS.length) {
                pieces.add(run(random, BLOCKS[kind][0], BLOCKS[kind][1], 1 + random.nextInt(6)));
            } else {
                pieces.add(switch (kind - BLOCKS.length) {
                    case 0 -> run(random, 0, 0x7F, random.nextInt(9));
                    case 1 -> word(random);
                    case 2 -> pick(random, PUNCTUATION);
                    case 3 -> pick(random, WHITESPACE);
                    case 4 -> pick(random, TRICKY);
                    default -> run(random, 'a', 'z', 60 + random.nextInt(11)); // around MAX_LENGTH
                });
            }
        }
        return pieces;
    }

    private static String run(Random random, int first, int last, int length) {
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < length; i++) {
            run.appendCodePoint(first + random.nextInt(last - first + 1));
        }
        return run.toString();
    }

    public static String word(Random random) {
        String letters = "abcdefghijklmnopqrstuvwxyzéüßЖжλΣ";
        StringBuilder word = new StringBuilder();
        for (int i = 1 + random.nextInt(10); i > 0; i--) {
            word.append(letters.charAt(random.nextInt(letters.length())));
        }
        return word.toString();
    }

    public static String pick(Random random, List<String> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    public static String text(List<String> pieces) {
        return String.join("", pieces);
    }


    /** A text as a message may hold it: unpaired surrogates and control characters (but \\n) become spaces. */
    public static String storable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            boolean control = Character.isISOControl(cp) && cp != '\n';
            out.appendCodePoint(control || Character.getType(cp) == Character.SURROGATE ? ' ' : cp);
        });
        return out.toString();
    }
}
