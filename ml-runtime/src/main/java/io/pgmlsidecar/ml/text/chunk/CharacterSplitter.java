package io.pgmlsidecar.ml.text.chunk;

import java.util.List;

/** LangChain's {@code CharacterTextSplitter}: split on one separator, then merge the pieces into chunks. */
final class CharacterSplitter implements TextSplitter {
    private static final List<String> LOOKAROUND_PREFIXES = List.of("(?=", "(?<!", "(?<=", "(?!");

    private final String separator;
    private final SeparatorSplitter separatorSplitter;
    private final KeepSeparator keep;
    private final SplitMerger merger;

    CharacterSplitter(String separator, boolean isSeparatorRegex, ChunkSettings settings) {
        this.separator = separator;
        this.separatorSplitter = new SeparatorSplitter(isSeparatorRegex);
        this.keep = settings.keepSeparator();
        this.merger = new SplitMerger(settings);
    }

    @Override
    public List<String> split(String text) {
        List<String> pieces = separatorSplitter.split(text, separator, keep);
        // a kept separator is already inside the pieces, and a zero-width lookaround matched no text to put back
        boolean lookaround = separatorSplitter.isRegex() && LOOKAROUND_PREFIXES.stream().anyMatch(separator::startsWith);
        return merger.merge(pieces, keep.keeps() || lookaround ? "" : separator);
    }
}
