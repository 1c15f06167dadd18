package io.pgmlsidecar.ml.text.chunk;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * LangChain's {@code TextSplitter._merge_splits} and {@code _join_docs}: packs small pieces into chunks of at most
 * {@code chunk_size} characters, carrying up to {@code chunk_overlap} characters of trailing pieces into the next
 * chunk. A single piece longer than chunk_size still becomes one chunk (with the same warning LangChain logs).
 */
final class SplitMerger {
    private static final Logger LOG = LoggerFactory.getLogger(SplitMerger.class);

    private final long chunkSize;
    private final long chunkOverlap;
    private final boolean stripWhitespace;

    SplitMerger(ChunkSettings settings) {
        this.chunkSize = settings.chunkSize();
        this.chunkOverlap = settings.chunkOverlap();
        this.stripWhitespace = settings.stripWhitespace();
    }

    long chunkSize() {
        return chunkSize;
    }

    List<String> merge(List<String> splits, String separator) {
        int separatorLength = PyText.length(separator);
        List<String> chunks = new ArrayList<>();
        Deque<String> current = new ArrayDeque<>();
        Deque<Integer> currentLengths = new ArrayDeque<>();
        long total = 0; // length of current joined with separator
        for (String piece : splits) {
            int length = PyText.length(piece);
            if (total + length + (current.isEmpty() ? 0 : separatorLength) > chunkSize) {
                if (total > chunkSize) {
                    LOG.warn("Created a chunk of size {}, which is longer than the specified {}", total, chunkSize);
                }
                if (!current.isEmpty()) {
                    join(current, separator).ifPresent(chunks::add);
                    // drop leading pieces until what is left fits as overlap and leaves room for this piece
                    while (total > chunkOverlap
                            || (total + length + (current.isEmpty() ? 0 : separatorLength) > chunkSize && total > 0)) {
                        total -= currentLengths.removeFirst() + (current.size() > 1 ? separatorLength : 0);
                        current.removeFirst();
                    }
                }
            }
            current.addLast(piece);
            currentLengths.addLast(length);
            total += length + (current.size() > 1 ? separatorLength : 0);
        }
        join(current, separator).ifPresent(chunks::add);
        return chunks;
    }

    /** {@code _join_docs}: joined, stripped when strip_whitespace, and nothing when that leaves an empty string. */
    private Optional<String> join(Deque<String> pieces, String separator) {
        String text = String.join(separator, pieces);
        if (stripWhitespace) {
            text = PyText.strip(text);
        }
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
}
