package io.pgmlsidecar.ml.text.chunk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splitting on one separator, as LangChain's {@code _split_text_with_regex} does with Python's {@code re.split}.
 * Compiled patterns are cached per instance (the recursive splitter asks for the same separators at every level).
 */
final class SeparatorSplitter {
    private final boolean isRegex;
    private final Map<String, Pattern> cache = new HashMap<>();

    /** @param isRegex LangChain's {@code is_separator_regex}: separators are Python regexes, else literal text */
    SeparatorSplitter(boolean isRegex) {
        this.isRegex = isRegex;
    }

    boolean isRegex() {
        return isRegex;
    }

    /** {@code re.search(separator, text)}: does the separator occur in the text? */
    boolean occursIn(String separator, String text) {
        return pattern(separator, false).matcher(text).find();
    }

    /**
     * {@code _split_text_with_regex}: the non-empty pieces of {@code text} around the separator, with the separator
     * dropped or glued to the following ({@code START}) or preceding ({@code END}) piece. The empty separator
     * splits into code points.
     */
    List<String> split(String text, String separator, KeepSeparator keep) {
        if (separator.isEmpty()) {
            return PyText.codePoints(text);
        }
        Pattern pattern = pattern(separator, keep.keeps());
        if (keep.keeps() && pattern.matcher("").groupCount() > 1) {
            // re.split would also return the regex's own groups, which LangChain's pairing below mangles or fails on
            throw new ChunkingException("separator regex " + PyText.quoted(separator) + " has a capturing group, which"
                    + " keep_separator cannot handle", "write groups as (?:...), or set keep_separator to false");
        }
        List<String> raw = pythonSplit(pattern, text);
        List<String> pieces = keep.keeps() ? glueSeparators(raw, keep) : raw;
        List<String> nonEmpty = new ArrayList<>(pieces.size());
        for (String piece : pieces) {
            if (piece != null && !piece.isEmpty()) {
                nonEmpty.add(piece);
            }
        }
        return nonEmpty;
    }

    /**
     * LangChain splits on {@code (separator)}, giving [text, sep, text, sep, ..., text], and concatenates each
     * separator with its neighbour.
     */
    private static List<String> glueSeparators(List<String> raw, KeepSeparator keep) {
        List<String> out = new ArrayList<>(raw.size() / 2 + 2);
        if (keep == KeepSeparator.START) {
            out.add(raw.get(0));
            for (int i = 1; i + 1 < raw.size(); i += 2) {
                out.add(raw.get(i) + raw.get(i + 1));
            }
        } else {
            for (int i = 0; i + 1 < raw.size(); i += 2) {
                out.add(raw.get(i) + raw.get(i + 1));
            }
            out.add(raw.get(raw.size() - 1));
        }
        return out;
    }

    /**
     * Python's {@code re.split} (3.7+): pieces between matches, each match followed by its groups (null when a
     * group did not take part), and empty matches split too. After an empty match the search resumes one code
     * point later. Python strings are code points, so a match inside a surrogate pair (Java tries every UTF-16
     * index, and e.g. {@code \B} matches between the halves) does not count.
     */
    static List<String> pythonSplit(Pattern pattern, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int last = 0;
        int from = 0;
        while (from <= text.length() && m.find(from)) {
            if (insideSurrogatePair(text, m.start())) {
                from = m.start() + 1;
                continue;
            }
            out.add(text.substring(last, m.start()));
            for (int g = 1; g <= m.groupCount(); g++) {
                out.add(m.group(g));
            }
            last = m.end();
            from = m.end() > m.start() ? m.end() : m.end() + stepAfter(text, m.end());
        }
        out.add(text.substring(last));
        return out;
    }

    private static boolean insideSurrogatePair(String text, int index) {
        return index > 0 && index < text.length()
                && Character.isHighSurrogate(text.charAt(index - 1)) && Character.isLowSurrogate(text.charAt(index));
    }

    private static int stepAfter(String text, int index) {
        return index < text.length() ? Character.charCount(text.codePointAt(index)) : 1;
    }

    private Pattern pattern(String separator, boolean captured) {
        String key = (captured ? "(" : "-") + separator;
        return cache.computeIfAbsent(key, k -> {
            String java = PythonRegex.toJava(separator, isRegex);
            return PythonRegex.compile(captured ? "(" + java + ")" : java, separator);
        });
    }
}
