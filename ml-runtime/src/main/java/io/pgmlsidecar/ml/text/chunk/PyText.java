package io.pgmlsidecar.ml.text.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's view of a string: LangChain measures with {@code len()} (code points, not UTF-16 units), strips with
 * {@code str.strip()} (Python's whitespace set, which differs from {@link Character#isWhitespace}) and splits on
 * the empty separator with {@code list(text)} (one piece per code point).
 */
final class PyText {
    private PyText() {
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    static String strip(String s) {
        int start = skipSpace(s, 0, s.length());
        return s.substring(start, skipSpaceBackward(s, start, s.length()));
    }

    /** The index of the first non-whitespace character in [from, to), or {@code to}. */
    static int skipSpace(String s, int from, int to) {
        while (from < to && isSpace(s.codePointAt(from))) {
            from += Character.charCount(s.codePointAt(from));
        }
        return from;
    }

    /** The index just after the last non-whitespace character in [from, to), or {@code from}. */
    static int skipSpaceBackward(String s, int from, int to) {
        while (to > from && isSpace(s.codePointBefore(to))) {
            to -= Character.charCount(s.codePointBefore(to));
        }
        return to;
    }

    /** The string in double quotes for an error message, with line breaks and tabs written as escapes. */
    static String quoted(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }

    static List<String> codePoints(String s) {
        List<String> out = new ArrayList<>(s.length());
        s.codePoints().forEach(cp -> out.add(Character.toString(cp)));
        return out;
    }

    /** {@code str.isspace()}: bidirectional class WS, B or S, or category Zs (includes NBSP and U+0085, unlike Java). */
    static boolean isSpace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0B, '\f', '\r', 0x1C, 0x1D, 0x1E, 0x1F, ' ', 0x85, 0xA0, 0x1680,
                 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }
}
