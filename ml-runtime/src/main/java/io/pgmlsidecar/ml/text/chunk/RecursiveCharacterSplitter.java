package io.pgmlsidecar.ml.text.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * LangChain's {@code RecursiveCharacterTextSplitter} (also behind the markdown, python and latex splitters):
 * split on the first separator of the list that occurs in the text, merge the pieces that are shorter than
 * chunk_size, and split each longer piece again with the separators after the one used.
 */
final class RecursiveCharacterSplitter implements TextSplitter {
    static final List<String> DEFAULT_SEPARATORS = List.of("\n\n", "\n", " ", "");

    private final List<String> separators;
    private final SeparatorSplitter separatorSplitter;
    private final KeepSeparator keep;
    private final SplitMerger merger;

    /** @param separators tried in order; null or empty means {@link #DEFAULT_SEPARATORS} (Python's {@code separators or [...]}) */
    RecursiveCharacterSplitter(List<String> separators, boolean isSeparatorRegex, ChunkSettings settings) {
        this.separators = separators == null || separators.isEmpty() ? DEFAULT_SEPARATORS : List.copyOf(separators);
        this.separatorSplitter = new SeparatorSplitter(isSeparatorRegex);
        this.keep = settings.keepSeparator();
        this.merger = new SplitMerger(settings);
    }

    @Override
    public List<String> split(String text) {
        return split(text, separators);
    }

    private List<String> split(String text, List<String> candidates) {
        String separator = candidates.get(candidates.size() - 1);
        List<String> finer = List.of();
        for (int i = 0; i < candidates.size(); i++) {
            String candidate = candidates.get(i);
            if (candidate.isEmpty()) {
                separator = candidate;
                break;
            }
            if (separatorSplitter.occursIn(candidate, text)) {
                separator = candidate;
                finer = candidates.subList(i + 1, candidates.size());
                break;
            }
        }

        String mergeSeparator = keep.keeps() ? "" : separator;
        List<String> chunks = new ArrayList<>();
        List<String> small = new ArrayList<>();
        for (String piece : separatorSplitter.split(text, separator, keep)) {
            if (PyText.length(piece) < merger.chunkSize()) {
                small.add(piece);
                continue;
            }
            if (!small.isEmpty()) {
                chunks.addAll(merger.merge(small, mergeSeparator));
                small = new ArrayList<>();
            }
            if (finer.isEmpty()) {
                chunks.add(piece); // nothing finer to split on: kept whole, as LangChain does (not stripped)
            } else {
                chunks.addAll(split(piece, finer));
            }
        }
        if (!small.isEmpty()) {
            chunks.addAll(merger.merge(small, mergeSeparator));
        }
        return chunks;
    }
}
