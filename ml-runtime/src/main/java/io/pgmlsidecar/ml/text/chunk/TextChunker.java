package io.pgmlsidecar.ml.text.chunk;

import java.util.List;
import java.util.Map;

/**
 * The text splitters behind {@code pgml.chunk(splitter, text, kwargs)}: Java ports of the LangChain splitters
 * PostgresML calls, giving the same chunks for the same input. Thread-safe (nothing is shared between calls).
 */
public final class TextChunker {
    private TextChunker() {
    }

    /**
     * Splits {@code text} into chunks, in order.
     *
     * @param splitter one of character, recursive_character, markdown, python, latex, nltk, spacy
     * @param text     the text; null or empty gives no chunks
     * @param kwargs   the splitter's constructor arguments as parsed from JSON (chunk_size, chunk_overlap, ...);
     *                 null means none
     * @throws ChunkingException for an unknown splitter, an unknown or ill-typed kwarg, an invalid value or regex
     */
    public static List<String> chunk(String splitter, String text, Map<String, Object> kwargs) {
        TextSplitter configured = SplitterKind.byName(splitter).create(kwargs);
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        return List.copyOf(configured.split(text));
    }
}
