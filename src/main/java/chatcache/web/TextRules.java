package chatcache.web;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * What a string the API stores may contain (README, "What a message may contain"): a message's
 * text, a chat's title, and every name and string inside a message's {@code data}. One place, so
 * that no stored string escapes a rule.
 */
final class TextRules {
    private static final int BLACK_FLAG = 0x1F3F4;
    private static final int CANCEL_TAG = 0xE007F;

    private TextRules() {
    }

    /** Text a person wrote ('message', a chat's 'title'): required, not blank, at most {@code max} code points, nothing refused. */
    static String validText(String field, String text, int max) {
        if (text == null) {
            throw ApiException.badRequest("'" + field + "' is required");
        }
        requireWellFormed(field, text);
        if (text.codePoints().allMatch(TextRules::isInvisible)) {
            throw ApiException.badRequest("'" + field + "' must not be empty");
        }
        if (text.codePointCount(0, text.length()) > max) {
            throw ApiException.badRequest("'" + field + "' is longer than " + max + " characters");
        }
        requireNothingRefused(field, text);
        return text;
    }

    /** Every field name and string value inside a message's {@code data}, at any depth: the same refusals as a message's text. */
    static void validData(JsonNode data) {
        if (data.isTextual()) {
            requireStorable("data", data.textValue());
        } else if (data.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = data.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                requireStorable("data", field.getKey());
                validData(field.getValue());
            }
        } else if (data.isArray()) {
            for (JsonNode item : data) {
                validData(item);
            }
        }
    }

    private static void requireStorable(String field, String text) {
        requireWellFormed(field, text);
        requireNothingRefused(field, text);
    }

    private static void requireNothingRefused(String field, String text) {
        int[] cps = text.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (isTag(c)) {
                int end = emojiTagSequenceEnd(cps, i);
                if (end < 0) {
                    throw ApiException.badRequest(String.format("'%s' must not contain U+%04X (tag characters are allowed"
                            + " only in an emoji flag sequence)", field, c));
                }
                i = end;
                continue;
            }
            if (isRefused(c)) {
                throw ApiException.badRequest(String.format(
                        "'%s' must not contain U+%04X (control characters other than tab and line breaks, bidirectional"
                                + " embedding, override and isolate controls, interlinear annotation characters and"
                                + " noncharacters are refused)", field, c));
            }
        }
    }

    /**
     * Whitespace, including no-break and zero-width spaces and other format characters, the
     * default-ignorable characters that render as nothing (the combining grapheme joiner U+034F,
     * variation selectors, Hangul fillers, tag characters) and the blank Braille pattern: a text
     * made only of these is empty.
     */
    static boolean isInvisible(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.getType(c) == Character.FORMAT
                || c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5
                || (c >= 0x180B && c <= 0x180F) || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFFA0
                || c == 0x2800 || (c >= 0xE0000 && c <= 0xE0FFF);
    }

    /**
     * Refused anywhere: NUL and the other C0/C1 controls but tab, line feed and carriage return
     * (they corrupt logs and terminals); the bidirectional embedding, override and isolate
     * controls U+202A..U+202E and U+2066..U+2069, which make text display in another order than
     * it reads (spoofed links and names); the interlinear annotation characters U+FFF9..U+FFFB,
     * which hide text between them; and noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF), which
     * are not for interchange. Marks such as U+200E/U+200F, which right-to-left text needs, are allowed.
     */
    static boolean isRefused(int c) {
        if (Character.getType(c) == Character.CONTROL) {
            return c != '\t' && c != '\n' && c != '\r';
        }
        return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
                || (c >= 0xFFF9 && c <= 0xFFFB)
                || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
    }

    private static boolean isTag(int c) {
        return c >= 0xE0000 && c <= 0xE007F;
    }

    /**
     * why tags are refused but here: outside an emoji tag sequence (a black flag, then tag letters
     * and digits, then CANCEL TAG: the flags of England, Scotland, Wales) they are invisible ASCII,
     * a known way to smuggle hidden text. Returns the index of the sequence's CANCEL TAG, or -1.
     */
    private static int emojiTagSequenceEnd(int[] cps, int start) {
        if (start == 0 || cps[start - 1] != BLACK_FLAG) {
            return -1;
        }
        for (int i = start; i < cps.length; i++) {
            if (cps[i] == CANCEL_TAG) {
                return i > start ? i : -1;
            }
            if (!(cps[i] >= 0xE0030 && cps[i] <= 0xE0039) && !(cps[i] >= 0xE0061 && cps[i] <= 0xE007A)) {
                return -1;
            }
        }
        return -1;
    }

    /** why: a lone surrogate cannot be stored as UTF-8; MySQL would reject or mangle it and the stores would differ. */
    static void requireWellFormed(String field, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.badRequest("'" + field + "' contains an unpaired UTF-16 surrogate");
            }
        }
    }
}
