package io.pgmlsidecar.ml.text.chunk;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a separator written as a Python {@code re} pattern (what LangChain's {@code is_separator_regex} takes)
 * into a Java pattern that matches the same text. The two dialects agree on everyday syntax; this rewrites the
 * places where they differ:
 * <ul>
 *   <li>a {@code {} that is not a valid quantifier is a literal in Python but an error in Java
 *       (LangChain's own LaTeX separators contain {@code \\chapter{}); {@code {,m}} means {@code {0,m}};</li>
 *   <li>{@code \Z} is Java's {@code \z}; {@code \v} is one character (Java: a class); {@code \UXXXXXXXX};</li>
 *   <li>{@code (?P<name>...)} and {@code (?P=name)} are Python's named groups;</li>
 *   <li>inside {@code [...]} a {@code [} or {@code &&} is literal in Python (Java: union / intersection).</li>
 * </ul>
 * Flags: {@code UNIX_LINES} so that {@code .}, {@code ^} and {@code $} treat only {@code \n} as a line end, and
 * {@code UNICODE_CHARACTER_CLASS} because Python's {@code \w \d \s \b} are Unicode-aware on str patterns.
 */
final class PythonRegex {
    private static final int FLAGS = Pattern.UNIX_LINES | Pattern.UNICODE_CHARACTER_CLASS;

    private PythonRegex() {
    }

    /** The separator as a Java pattern source: translated when it is a regex, quoted when it is literal text. */
    static String toJava(String separator, boolean isRegex) {
        return isRegex ? translate(separator) : Pattern.quote(separator);
    }

    static Pattern compile(String javaSource, String pythonSource) {
        try {
            return Pattern.compile(javaSource, FLAGS);
        } catch (PatternSyntaxException e) {
            throw new ChunkingException("invalid separator regex " + PyText.quoted(pythonSource) + ": " + e.getDescription(),
                    "with is_separator_regex true, separators are Python regular expressions; escape special characters"
                            + " with a backslash, or set is_separator_regex to false to split on the text as written");
        }
    }

    static String translate(String py) {
        StringBuilder out = new StringBuilder(py.length() + 8);
        boolean inClass = false;
        int classFirst = -1;
        for (int i = 0; i < py.length(); i++) {
            char c = py.charAt(i);
            if (c == '\\' && i + 1 < py.length()) {
                i = escape(py, i, inClass, out);
            } else if (inClass) {
                if (c == ']' && i != classFirst) {
                    inClass = false;
                    out.append(c);
                } else if (c == ']' || c == '[' || c == '&') {
                    out.append('\\').append(c);
                } else {
                    out.append(c);
                }
            } else if (c == '[') {
                inClass = true;
                out.append(c);
                if (i + 1 < py.length() && py.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                classFirst = i + 1;
            } else if (c == '{') {
                i = brace(py, i, out);
            } else if (py.startsWith("(?P<", i)) {
                out.append("(?<");
                i += 3;
            } else if (py.startsWith("(?P=", i) && py.indexOf(')', i) > 0) {
                int close = py.indexOf(')', i);
                out.append("\\k<").append(py, i + 4, close).append('>');
                i = close;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Writes the escape at {@code py[i]} (a backslash); returns the index of its last character. */
    private static int escape(String py, int i, boolean inClass, StringBuilder out) {
        char next = py.charAt(i + 1);
        if (next == 'Z' && !inClass) {
            out.append("\\z");
        } else if (next == 'v') {
            out.append("\\x0B");
        } else if (next == 'U' && i + 9 < py.length()) {
            out.append("\\x{").append(py, i + 2, i + 10).append('}');
            return i + 9;
        } else {
            out.append('\\').append(next);
        }
        return i + 1;
    }

    /**
     * Python's parser (sre_parse) reads {@code {digits?(,digits?)?}} as a quantifier and anything else — including
     * {@code {}} — as a literal brace. Returns the index of the last character consumed.
     */
    private static int brace(String py, int i, StringBuilder out) {
        int j = i + 1;
        int loStart = j;
        while (j < py.length() && isAsciiDigit(py.charAt(j))) {
            j++;
        }
        String lo = py.substring(loStart, j);
        String hi = lo;
        boolean comma = j < py.length() && py.charAt(j) == ',';
        if (comma) {
            int hiStart = ++j;
            while (j < py.length() && isAsciiDigit(py.charAt(j))) {
                j++;
            }
            hi = py.substring(hiStart, j);
        }
        boolean quantifier = j < py.length() && py.charAt(j) == '}' && !(lo.isEmpty() && !comma);
        if (!quantifier) {
            out.append("\\{");
            return i;
        }
        out.append('{').append(lo.isEmpty() ? "0" : lo);
        if (comma) {
            out.append(',').append(hi);
        }
        out.append('}');
        return j;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
