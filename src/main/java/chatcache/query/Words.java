package chatcache.query;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The words of a message text or of a search query: the one tokenizer whose output both stores
 * index (a RediSearch TAG field, MySQL {@code message_words.word}). A message matches a word
 * search when its words contain every word of the query.
 *
 * <ol>
 * <li><b>Normalise and fold case.</b> NFKC (fullwidth {@code ＡＢＣ} = {@code abc}, {@code ﬁ} =
 *     {@code fi}, {@code ①} = {@code 1}), then {@code toUpperCase(Locale.ROOT)} followed by
 *     {@code toLowerCase(Locale.ROOT)}, repeated until stable, and final sigma {@code ς} made
 *     {@code σ}: {@code ß} = {@code ẞ} = {@code ss}, {@code Привет} = {@code привет}, {@code ı} =
 *     {@code i}.</li>
 * <li><b>Ignore accents and invisible characters.</b> Decompose (NFD); delete, without
 *     separating, nonspacing marks (Mn: accents, variation selectors, kana voicing marks,
 *     viramas), enclosing marks (Me: keycaps, circles), format characters (Cf: soft hyphen, ZWJ,
 *     ZWNJ, bidi marks) except U+200B ZERO WIDTH SPACE, the Arabic tatweel {@code ـ} U+0640 and
 *     the prolonged sound mark {@code ー} U+30FC; recompose (NFC). So {@code café} = {@code cafe},
 *     {@code İ} = {@code i}, {@code 1️⃣} = {@code 1}, {@code كـتاب} = {@code كتاب}, {@code ガ} =
 *     {@code カ}. Spacing marks (Mc, e.g. Devanagari vowel signs) are kept.</li>
 * <li><b>Split.</b> A word is a maximal run of letters ({@link Character#isLetter(int)}) and
 *     decimal digits (Nd, any script: {@code ١٢٣} is a word), where a spacing mark (Mc) also
 *     continues a run already started. Every other code point separates words: whitespace,
 *     U+200B, punctuation (apostrophes: {@code don't} = {@code don t}; hyphens: {@code e-mail} =
 *     {@code e mail}; underscores), symbols, emoji, an Mc with no letter or digit before it, and
 *     unpaired surrogates.</li>
 * <li><b>Ideographs and kana stand alone.</b> Each ideograph ({@link Character#isIdeographic(int)}:
 *     Han incl. {@code 〇}, Tangut, Nüshu) and each letter of the Han, Hiragana or Katakana
 *     script is a word by itself: {@code 東京タワー} = {@code 東 京 タ ワ}, {@code abc東京123} =
 *     {@code abc 東 京 123}. Hangul is written with spaces, so its runs are ordinary words. Thai,
 *     Lao, Khmer and Myanmar are not segmented: a run of their letters is one word (a known
 *     limitation).</li>
 * <li><b>Cut.</b> A word longer than {@value #MAX_LENGTH} code points keeps its first
 *     {@value #MAX_LENGTH}, in queries as in messages.</li>
 * </ol>
 *
 * <p>All of it works on code points ({@code 𠀀} U+20000 is a word, {@code 👍🏽} separates). A word
 * therefore holds only letters, Nd digits, ideographs and spacing marks, never a comma,
 * whitespace, control character, unpaired surrogate or ASCII punctuation: it is safe as a TAG
 * value and as a utf8mb4 {@code VARCHAR(64)} value. Each word is a fixpoint ({@code of(w)} is
 * {@code [w]}) and the tokenizer is idempotent ({@code of(String.join(" ", of(t)))} equals
 * {@code of(t)}); a candidate that would not be (none is known) is tokenized again, and dropped
 * if it never settles.
 */
public final class Words {
    /** Code points per word; longer words are cut to their first {@value} code points. */
    public static final int MAX_LENGTH = 64;
    /** Distinct words per search query. */
    public static final int MAX_QUERY_WORDS = 5;

    private static final int ZERO_WIDTH_SPACE = 0x200B;
    private static final int ARABIC_TATWEEL = 0x0640;
    private static final int PROLONGED_SOUND_MARK = 0x30FC;
    // why: upper→lower settles in two rounds for every known text (ẞ → ß → ss); bound it anyway
    private static final int MAX_FOLD_ROUNDS = 4;
    private static final int MAX_SETTLE_DEPTH = 3;

    private Words() {
    }

    /** The distinct words of a text, sorted, immutable; empty for null, blank or wordless text. */
    public static List<String> of(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        TreeSet<String> words = new TreeSet<>();
        for (String token : split(normalise(text))) {
            settle(token, words, 0);
        }
        return List.copyOf(words);
    }

    /**
     * The distinct words of a search query, sorted, immutable.
     *
     * @throws IllegalArgumentException when the text has no word, or more than
     *                                  {@value #MAX_QUERY_WORDS} distinct words
     */
    public static List<String> query(String text) {
        List<String> words = of(text);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("text has no word: words are letters and digits;"
                    + " spaces, punctuation, symbols and emoji only separate them");
        }
        if (words.size() > MAX_QUERY_WORDS) {
            throw new IllegalArgumentException("text has " + words.size() + " distinct words: at most "
                    + MAX_QUERY_WORDS + " are allowed");
        }
        return words;
    }

    /** Whether a message with {@code messageWords} matches a query: it has every query word. */
    public static boolean containsAll(List<String> messageWords, List<String> queryWords) {
        Objects.requireNonNull(messageWords, "messageWords");
        Objects.requireNonNull(queryWords, "queryWords");
        return messageWords.containsAll(queryWords);
    }

    /** Rules 1 and 2 on a whole text. */
    static String normalise(String text) {
        if (isAscii(text)) {
            return text.toLowerCase(Locale.ROOT); // why: NFKC and the mark rules leave ASCII alone
        }
        String folded = fold(Normalizer.normalize(text, Normalizer.Form.NFKC));
        String decomposed = Normalizer.normalize(folded, Normalizer.Form.NFD);
        StringBuilder kept = new StringBuilder(decomposed.length());
        decomposed.codePoints().filter(cp -> !ignored(cp)).forEach(kept::appendCodePoint);
        return Normalizer.normalize(kept, Normalizer.Form.NFC);
    }

    private static String fold(String text) {
        String current = text;
        for (int round = 0; round < MAX_FOLD_ROUNDS; round++) {
            String next = current.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT).replace('ς', 'σ');
            if (next.equals(current)) {
                break;
            }
            current = next;
        }
        return current;
    }

    private static boolean ignored(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK
                || type == Character.ENCLOSING_MARK
                || (type == Character.FORMAT && cp != ZERO_WIDTH_SPACE)
                || cp == ARABIC_TATWEEL
                || cp == PROLONGED_SOUND_MARK;
    }

    /** Rules 3 and 4 on a normalised text: the tokens in text order, not yet cut. */
    private static List<String> split(String normalised) {
        List<String> tokens = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        int i = 0;
        while (i < normalised.length()) {
            int cp = normalised.codePointAt(i);
            i += Character.charCount(cp);
            if (standsAlone(cp)) {
                flush(run, tokens);
                tokens.add(Character.toString(cp));
            } else if (isLetterOrDigit(cp)
                    || (run.length() > 0 && Character.getType(cp) == Character.COMBINING_SPACING_MARK)) {
                run.appendCodePoint(cp);
            } else {
                flush(run, tokens);
            }
        }
        flush(run, tokens);
        return tokens;
    }

    /** Whether a code point is a word by itself (rule 4). */
    static boolean standsAlone(int cp) {
        if (Character.getType(cp) == Character.NON_SPACING_MARK) {
            return false; // why: a few ideographic fillers are marks; rule 2 has removed them already
        }
        if (Character.isIdeographic(cp)) {
            return true;
        }
        if (!Character.isLetter(cp)) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA;
    }

    private static boolean isLetterOrDigit(int cp) {
        return Character.isLetter(cp) || Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER;
    }

    private static void flush(StringBuilder run, List<String> tokens) {
        if (run.length() > 0) {
            tokens.add(run.toString());
            run.setLength(0);
        }
    }

    /**
     * Adds a token, cut to {@link #MAX_LENGTH}, once it is a fixpoint of the rules; otherwise what
     * the rules make of it. Why: normalisation is not closed under cutting and splitting in general
     * (a cut can end a string in a new place), and a stored word must be found again by a query
     * made of it.
     */
    private static void settle(String token, TreeSet<String> words, int depth) {
        String word = cut(token);
        if (isPlainAscii(word)) {
            words.add(word);
            return;
        }
        List<String> again = split(normalise(word));
        if (again.size() == 1 && again.get(0).equals(word)) {
            words.add(word);
            return;
        }
        if (depth < MAX_SETTLE_DEPTH) {
            for (String token2 : again) {
                settle(token2, words, depth + 1);
            }
        }
    }

    private static String cut(String token) {
        if (token.length() <= MAX_LENGTH || token.codePointCount(0, token.length()) <= MAX_LENGTH) {
            return token;
        }
        return token.substring(0, token.offsetByCodePoints(0, MAX_LENGTH));
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPlainAscii(String word) {
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }
}
