package chatcache.query;

import static chatcache.support.RandomTexts.pick;
import static chatcache.support.RandomTexts.pieces;
import static chatcache.support.RandomTexts.text;
import static chatcache.support.RandomTexts.word;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordsTest {

    // ---- rule 1: NFKC and case ----

    @Test
    void cyrillicAndGreekFoldToLowerCase() {
        assertEquals(List.of("мир", "привет"), Words.of("Привет, МИР! привет"));
        assertEquals(List.of("λογοσ"), Words.of("ΛΌΓΟΣ λόγος λογοσ λογος"));
    }

    @Test
    void germanSharpSIsDoubleS() {
        assertEquals(List.of("strasse"), Words.of("Straße STRASSE strasse STRAẞE"));
        assertEquals(List.of("ss"), Words.of("ß ẞ SS"));
    }

    @Test
    void turkishDottedAndDotlessIAreI() {
        assertEquals(List.of("istanbul"), Words.of("İstanbul ISTANBUL ıstanbul istanbul"));
        assertEquals(List.of("i"), Words.of("İ ı I i"));
    }

    @Test
    void fullwidthAndLigaturesAreCompatibilityNormalised() {
        assertEquals(List.of("123", "abc", "file"), Words.of("ＡＢＣ ａｂｃ ﬁle ＦＩＬＥ １２３"));
        assertEquals(List.of("1", "2", "x2"), Words.of("x² ① ½"));
    }

    // ---- rule 2: accents, invisible characters ----

    @Test
    void accentsAreIgnored() {
        assertEquals(List.of("angstrom", "cafe", "naive"), Words.of("café CAFÉ cafe\u0301 naïve Ångström"));
        assertEquals(List.of("krakow"), Words.of("Kraków"));
    }

    @Test
    void invisibleFormatCharactersAreIgnoredButZeroWidthSpaceSeparates() {
        assertEquals(List.of("cooperate"), Words.of("co\u00ADoperate"));
        assertEquals(List.of("میخواهم"), Words.of("می\u200Cخواهم"));
        assertEquals(List.of("ab"), Words.of("a\u200Db\u200E"));
        assertEquals(List.of("a", "b"), Words.of("a\u200Bb"));
        assertEquals(List.of("كتاب"), Words.of("كـتاب"));
    }

    @Test
    void spacingMarksStayInsideWordsOnly() {
        String kitab = "किताब"; // क ि(Mc) त ा(Mc) ब
        assertEquals(List.of(kitab), Words.of(kitab));
        assertEquals(List.of("क"), Words.of("क \u093F"));
        assertEquals(List.of(), Words.of("\u093F"));
    }

    // ---- rule 3: what separates words ----

    @Test
    void apostrophesHyphensUnderscoresAndPunctuationSeparate() {
        assertEquals(List.of("don", "t"), Words.of("don't"));
        assertEquals(List.of("don", "t"), Words.of("don’t"));
        assertEquals(List.of("e", "mail"), Words.of("e-mail e‐mail e_mail E.MAIL"));
        assertEquals(List.of("a", "b", "c", "d", "e"), Words.of(",a\tb\u0000c.d\u00A0e"));
    }

    @Test
    void emojiSeparateAndAreNeverWords() {
        assertEquals(List.of("great", "job"), Words.of("👍🏽great👨\u200D👩\u200D👧 job🇩🇪!"));
        assertEquals(List.of(), Words.of("👍🏽 👨\u200D👩\u200D👧\u200D👦 🏳️\u200D🌈 ❤️"));
        assertEquals(List.of("1"), Words.of("1️⃣"));
    }

    @Test
    void digitsOfAnyScriptAreWords() {
        assertEquals(List.of("١٢٣"), Words.of("١٢٣"));
        assertEquals(List.of("١٢٣", "४२"), Words.of("४२ ١٢٣"));
        assertEquals(List.of("a1b2"), Words.of("A1b2"));
    }

    @Test
    void unpairedSurrogatesSeparate() {
        assertEquals(List.of("a", "b"), Words.of("a\uD800b\uDC00"));
    }

    // ---- rule 4: ideographs, kana, other scripts ----

    @Test
    void eachIdeographAndKanaIsAWord() {
        assertEquals(List.of("タ", "ワ", "京", "東"), Words.of("東京タワー"));
        assertEquals(List.of("123", "abc", "京", "東"), Words.of("abc東京123"));
        assertEquals(List.of("メ", "ラ", "ン"), Words.of("ラーメン ｰ ー")); // ー is never a word
        assertEquals(List.of("〇", "二", "四"), Words.of("二〇二四"));
    }

    @Test
    void kanaVoicingMarksAreMarksToo() {
        assertEquals(Words.of("カ"), Words.of("ガ"));
        assertEquals(Words.of("カ"), Words.of("ｶﾞ"));
    }

    @Test
    void supplementaryIdeographsAreWords() {
        assertEquals(List.of("𠀀", "𠀁"), Words.of("𠀀𠀁"));
        assertEquals(List.of("x", "𠀀"), Words.of("x𠀀"));
    }

    @Test
    void hangulRunsAreWordsAndThaiIsNotSegmented() {
        assertEquals(List.of("세계", "안녕하세요"), Words.of("안녕하세요, 세계!"));
        assertEquals(1, Words.of("สวัสดีครับ").size());
    }

    // ---- rule 5: length ----

    @Test
    void longWordsAreCutTo64CodePoints() {
        assertEquals(List.of("a".repeat(64)), Words.of("a".repeat(65)));
        String gothic = "\uD800\uDF30"; // U+10330, a letter outside the BMP
        List<String> cut = Words.of(gothic.repeat(65));
        assertEquals(List.of(gothic.repeat(64)), cut);
        assertEquals(64, cut.get(0).codePointCount(0, cut.get(0).length()));
        assertEquals(List.of("b".repeat(64)), Words.query("b".repeat(70)));
        assertTrue(Words.containsAll(Words.of("b".repeat(100)), Words.query("B".repeat(65))));
    }

    // ---- the API ----

    @Test
    void nullBlankAndWordlessTextsHaveNoWords() {
        assertEquals(List.of(), Words.of(null));
        assertEquals(List.of(), Words.of(""));
        assertEquals(List.of(), Words.of(" \t\n"));
        assertEquals(List.of(), Words.of("?!... -- ,,,"));
    }

    @Test
    void wordsAreDistinctSortedAndImmutable() {
        List<String> words = Words.of("b a c a B");
        assertEquals(List.of("a", "b", "c"), words);
        assertThrows(UnsupportedOperationException.class, () -> words.add("d"));
    }

    @Test
    void queriesWithoutWordsAreRefused() {
        for (String text : new String[] {null, "", "   ", "?!", "👍🏽", "'-_"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Words.query(text));
            assertTrue(e.getMessage().startsWith("text has no word"), e.getMessage());
        }
    }

    @Test
    void queriesOfMoreThanFiveDistinctWordsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Words.query("one two three four five six"));
        assertTrue(e.getMessage().contains("6 distinct words"), e.getMessage());
        assertTrue(e.getMessage().contains("at most 5"), e.getMessage());
    }

    @Test
    void duplicatesInAQueryCountOnce() {
        assertEquals(List.of("five", "four", "one", "three", "two"),
                Words.query("one two three four five ONE Five fïve"));
    }

    @Test
    void aMessageMatchesWhenItHasEveryQueryWord() {
        List<String> message = Words.of("Meet me at the CAFÉ, don't be late!");
        assertTrue(Words.containsAll(message, Words.query("cafe late")));
        assertFalse(Words.containsAll(message, Words.query("cafe early")));
    }

    /** Every BMP code point, alone and inside words, obeys the invariants the properties check. */
    @Test
    void everyBmpCodePointObeysTheInvariants() {
        for (int cp = 0; cp <= 0xFFFF; cp++) {
            String s = Character.toString(cp);
            checkInvariants(s);
            checkInvariants("ab" + s + "c");
        }
    }

    // ---- properties, each over TRIES generated texts (see forAllTexts) ----

    @Test
    void tokenizingTheWordsAgainGivesTheSameWords() {
        forAllTexts("idempotence", text -> {
            List<String> words = Words.of(text);
            assertEquals(words, Words.of(String.join(" ", words)));
        });
    }

    @Test
    void caseDoesNotMatter() {
        forAllTexts("case", text -> {
            List<String> words = Words.of(text);
            assertEquals(words, Words.of(text.toUpperCase(Locale.ROOT)), "upper case");
            assertEquals(words, Words.of(text.toLowerCase(Locale.ROOT)), "lower case");
        });
    }

    @Test
    void wordsAreSafeTagAndVarcharValues() {
        forAllTexts("safe words", text -> Words.of(text).forEach(word -> assertSafe(word, text)));
    }

    @Test
    void everyWordIsAFixpoint() {
        forAllTexts("fixpoint", text -> {
            for (String word : Words.of(text)) {
                assertEquals(List.of(word), Words.of(word));
            }
        });
    }

    @Test
    void wordsAreDistinctAndSorted() {
        forAllTexts("distinct and sorted", text -> {
            List<String> words = Words.of(text);
            assertEquals(new ArrayList<>(new TreeSet<>(words)), words);
        });
    }

    @Test
    void queryIsOfOrRefused() {
        forAllTexts("query", text -> {
            List<String> words = Words.of(text);
            if (words.isEmpty() || words.size() > Words.MAX_QUERY_WORDS) {
                assertThrows(IllegalArgumentException.class, () -> Words.query(text));
            } else {
                assertEquals(words, Words.query(text));
            }
        });
    }

    @Test
    void aTextWithTheQueryWordsBetweenNoiseMatches() {
        forAll("query words between noise", random -> {
            String queryText = random.nextBoolean()
                    ? text(pieces(random))
                    : word(random) + " " + word(random) + " " + word(random);
            List<String> queryWords = Words.of(queryText);
            List<String> asked = queryWords.subList(0, Math.min(queryWords.size(), Words.MAX_QUERY_WORDS));
            String noise = text(pieces(random));
            StringBuilder message = new StringBuilder(noise);
            for (String word : asked) {
                // why: a query is typed in any case; here the message holds the words in upper case
                message.append(pick(random, chatcache.support.RandomTexts.SEPARATORS)).append(word.toUpperCase(Locale.ROOT))
                        .append(pick(random, chatcache.support.RandomTexts.SEPARATORS)).append(noise);
            }
            String where = "query " + codePoints(queryText) + ", message " + codePoints(message.toString());
            if (!asked.isEmpty()) {
                assertTrue(Words.containsAll(Words.of(message.toString()), Words.query(String.join(" ", asked))),
                        where);
            }
        });
    }

    // ---- the property harness ----

    /** Tries per property: {@code -Dwords.tries=N}. */
    private static final int TRIES = Integer.getInteger("words.tries", 1000);
    /** Seed of the first try, random unless {@code -Dwords.seed=S}; try i uses seed + i. */
    private static final long SEED = Long.getLong("words.seed", new Random().nextLong());

    /**
     * Checks a property on {@link #TRIES} generated texts. A failure names the seed that
     * reproduces it and the smallest failing text found by dropping pieces and code points.
     */
    private static void forAllTexts(String property, Consumer<String> check) {
        for (int i = 0; i < TRIES; i++) {
            long seed = SEED + i;
            List<String> pieces = pieces(new Random(seed));
            if (failure(check, text(pieces)) != null) {
                List<String> smallest = shrink(pieces, check);
                Throwable cause = failure(check, text(smallest));
                throw new AssertionError("property '" + property + "' failed on try " + (i + 1) + " of " + TRIES
                        + "; reproduce with -Dwords.seed=" + seed + " -Dwords.tries=1"
                        + "\n  generated text: " + codePoints(text(pieces))
                        + "\n  smallest failing text: " + codePoints(text(smallest))
                        + "\n  " + cause, cause);
            }
        }
    }

    /** Checks a property on {@link #TRIES} values made from seeded randoms (no shrinking). */
    private static void forAll(String property, Consumer<Random> check) {
        for (int i = 0; i < TRIES; i++) {
            long seed = SEED + i;
            try {
                check.accept(new Random(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property '" + property + "' failed on try " + (i + 1) + " of " + TRIES
                        + "; reproduce with -Dwords.seed=" + seed + " -Dwords.tries=1\n  " + e, e);
            }
        }
    }

    private static Throwable failure(Consumer<String> check, String text) {
        try {
            check.accept(text);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e;
        }
    }

    /** Drops whole pieces, then single code points, while the text still fails. */
    private static List<String> shrink(List<String> pieces, Consumer<String> check) {
        List<String> current = new ArrayList<>(pieces);
        for (int i = current.size() - 1; i >= 0; i--) {
            List<String> fewer = new ArrayList<>(current);
            fewer.remove(i);
            if (failure(check, text(fewer)) != null) {
                current = fewer;
            }
        }
        for (int p = 0; p < current.size(); p++) {
            int[] cps = current.get(p).codePoints().toArray();
            for (int c = cps.length - 1; c >= 0 && cps.length > 1; c--) {
                int[] less = new int[cps.length - 1];
                System.arraycopy(cps, 0, less, 0, c);
                System.arraycopy(cps, c + 1, less, c, cps.length - c - 1);
                List<String> smaller = new ArrayList<>(current);
                smaller.set(p, new String(less, 0, less.length));
                if (failure(check, text(smaller)) != null) {
                    current = smaller;
                    cps = less;
                }
            }
        }
        return current;
    }

    private static void checkInvariants(String text) {
        List<String> words = Words.of(text);
        assertEquals(words, Words.of(String.join(" ", words)), () -> "idempotence " + codePoints(text));
        assertEquals(words, Words.of(text.toUpperCase(Locale.ROOT)), () -> "upper case " + codePoints(text));
        assertEquals(words, Words.of(text.toLowerCase(Locale.ROOT)), () -> "lower case " + codePoints(text));
        for (String word : words) {
            assertSafe(word, text);
            assertEquals(List.of(word), Words.of(word), () -> "fixpoint " + codePoints(text));
        }
    }

    private static void assertSafe(String word, String text) {
        String where = "word " + codePoints(word) + " of " + codePoints(text);
        assertFalse(word.isEmpty(), where);
        assertTrue(word.codePointCount(0, word.length()) <= Words.MAX_LENGTH, where);
        assertEquals(word.toLowerCase(Locale.ROOT), word, where);
        word.codePoints().forEach(cp -> {
            assertFalse(cp == ',' || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                    || Character.isISOControl(cp) || (cp < 0x80 && !Character.isLetterOrDigit(cp)), where);
            int type = Character.getType(cp);
            assertTrue(Character.isLetter(cp) || type == Character.DECIMAL_DIGIT_NUMBER
                    || type == Character.COMBINING_SPACING_MARK || Character.isIdeographic(cp), where);
            assertFalse(type == Character.SURROGATE || type == Character.NON_SPACING_MARK
                    || type == Character.ENCLOSING_MARK || type == Character.FORMAT, where);
        });
    }

    /** A text shown unambiguously: printable ASCII as is, any other code point as a hex escape. */
    private static String codePoints(String text) {
        StringBuilder shown = new StringBuilder("\"");
        text.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F && cp != '\\' && cp != '"') {
                shown.appendCodePoint(cp);
            } else {
                shown.append(String.format("\\u{%04X}", cp));
            }
        });
        return shown.append('"').toString();
    }
}
