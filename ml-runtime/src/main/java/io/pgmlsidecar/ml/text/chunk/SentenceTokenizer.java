package io.pgmlsidecar.ml.text.chunk;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Sentence boundaries for the nltk and spacy splitters, from the JDK's rule-based {@link BreakIterator} instead of
 * NLTK's Punkt model or a spaCy pipeline. Like Punkt it breaks after . ? ! followed by space and a capital (or end
 * of text), and not at bare newlines. Punkt has learned abbreviations; the JDK has none, so a break right after a
 * common title or Latin abbreviation ("Dr.", "e.g.") is undone here. Other differences are documented in the README.
 */
final class SentenceTokenizer {
    /** Words that end with a period but almost never end a sentence (lower case, without the final period). */
    private static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "rev", "gen", "col", "lt", "sgt", "capt",
            "gov", "sen", "rep", "vs", "cf", "e.g", "i.e", "viz", "approx", "fig", "no", "vol", "pp");

    /** A sentence as [start, end) offsets into the text, without surrounding whitespace. */
    record Span(int start, int end) {
    }

    private SentenceTokenizer() {
    }

    static List<Span> sentences(String text) {
        BreakIterator boundaries = BreakIterator.getSentenceInstance(Locale.ROOT);
        boundaries.setText(text);
        List<Span> spans = new ArrayList<>();
        int start = boundaries.first();
        for (int end = boundaries.next(); end != BreakIterator.DONE; start = end, end = boundaries.next()) {
            Span span = trimmed(text, start, end);
            if (span == null) {
                continue;
            }
            int last = spans.size() - 1;
            if (last >= 0 && endsWithAbbreviation(text, spans.get(last))) {
                spans.set(last, new Span(spans.get(last).start(), span.end()));
            } else {
                spans.add(span);
            }
        }
        return spans;
    }

    private static Span trimmed(String text, int start, int end) {
        int from = PyText.skipSpace(text, start, end);
        int to = PyText.skipSpaceBackward(text, from, end);
        return from < to ? new Span(from, to) : null;
    }

    private static boolean endsWithAbbreviation(String text, Span span) {
        if (text.charAt(span.end() - 1) != '.') {
            return false;
        }
        int wordStart = span.end() - 1;
        while (wordStart > span.start() && !PyText.isSpace(text.charAt(wordStart - 1))) {
            wordStart--;
        }
        String word = text.substring(wordStart, span.end() - 1).toLowerCase(Locale.ROOT);
        return ABBREVIATIONS.contains(word.startsWith("(") ? word.substring(1) : word);
    }
}
