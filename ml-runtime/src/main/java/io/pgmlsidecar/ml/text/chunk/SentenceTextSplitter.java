package io.pgmlsidecar.ml.text.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * LangChain's {@code NLTKTextSplitter} and {@code SpacyTextSplitter}: split into sentences, then merge them into
 * chunks joined by {@code separator} (default "\n\n"). Sentences come from {@link SentenceTokenizer}.
 */
final class SentenceTextSplitter implements TextSplitter {
    /** Which whitespace around a sentence is part of it. */
    enum Whitespace {
        /** {@code sent_tokenize} / spaCy {@code Span.text}: none. */
        NONE,
        /** spaCy {@code Span.text_with_ws} (strip_whitespace false): the whitespace after it. */
        TRAILING,
        /** NLTK {@code use_span_tokenize}: the whitespace before it (the first sentence has none). */
        LEADING
    }

    private final String separator;
    private final Whitespace whitespace;
    private final long maxTextLength;
    private final SplitMerger merger;

    /** @param maxTextLength longer texts are refused, as spaCy does (E088); {@link Long#MAX_VALUE} for no limit */
    SentenceTextSplitter(String separator, Whitespace whitespace, long maxTextLength, ChunkSettings settings) {
        this.separator = separator;
        this.whitespace = whitespace;
        this.maxTextLength = maxTextLength;
        this.merger = new SplitMerger(settings);
    }

    @Override
    public List<String> split(String text) {
        int length = PyText.length(text);
        if (length > maxTextLength) {
            throw new ChunkingException("[E088] Text of length " + length + " exceeds maximum of " + maxTextLength
                    + " (spaCy's max_length)", "pass a larger max_length in kwargs, e.g. {\"max_length\": " + length + "}");
        }
        return merger.merge(sentences(text), separator);
    }

    private List<String> sentences(String text) {
        List<SentenceTokenizer.Span> spans = SentenceTokenizer.sentences(text);
        List<String> out = new ArrayList<>(spans.size());
        for (int i = 0; i < spans.size(); i++) {
            SentenceTokenizer.Span span = spans.get(i);
            int start = whitespace == Whitespace.LEADING && i > 0 ? spans.get(i - 1).end() : span.start();
            int end = whitespace != Whitespace.TRAILING ? span.end()
                    : i + 1 < spans.size() ? spans.get(i + 1).start() : text.length();
            out.add(text.substring(start, end));
        }
        return out;
    }
}
