package io.pgmlsidecar.ml.text.chunk;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The seven splitter names of pgml.chunk, each with the LangChain class it stands for, the constructor arguments
 * that class accepts beyond TextSplitter's, and its default keep_separator.
 */
enum SplitterKind {
    /** CharacterTextSplitter. */
    CHARACTER("character", KeepSeparator.NONE, Set.of("separator", "is_separator_regex"),
            (kw, s) -> new CharacterSplitter(kw.string("separator", "\n\n"), kw.bool("is_separator_regex", false), s)),
    /** RecursiveCharacterTextSplitter. */
    RECURSIVE_CHARACTER("recursive_character", KeepSeparator.START, Set.of("separators", "is_separator_regex"),
            (kw, s) -> new RecursiveCharacterSplitter(kw.stringList("separators"), kw.bool("is_separator_regex", false), s)),
    /** MarkdownTextSplitter. */
    MARKDOWN("markdown", KeepSeparator.START, Set.of("is_separator_regex"),
            (kw, s) -> new RecursiveCharacterSplitter(LanguageSeparators.MARKDOWN, kw.bool("is_separator_regex", false), s)),
    /** PythonCodeTextSplitter. */
    PYTHON("python", KeepSeparator.START, Set.of("is_separator_regex"),
            (kw, s) -> new RecursiveCharacterSplitter(LanguageSeparators.PYTHON, kw.bool("is_separator_regex", false), s)),
    /** LatexTextSplitter. */
    LATEX("latex", KeepSeparator.START, Set.of("is_separator_regex"),
            (kw, s) -> new RecursiveCharacterSplitter(LanguageSeparators.LATEX, kw.bool("is_separator_regex", false), s)),
    /** NLTKTextSplitter. */
    NLTK("nltk", KeepSeparator.NONE, Set.of("separator", "language", "use_span_tokenize"), SplitterKind::nltk),
    /** SpacyTextSplitter. */
    SPACY("spacy", KeepSeparator.NONE, Set.of("separator", "pipeline", "max_length"), SplitterKind::spacy);

    /** Languages NLTK ships a Punkt model for. */
    private static final List<String> PUNKT_LANGUAGES = List.of("czech", "danish", "dutch", "english", "estonian",
            "finnish", "french", "german", "greek", "italian", "malayalam", "norwegian", "polish", "portuguese",
            "russian", "slovene", "spanish", "swedish", "turkish");
    /** spaCy's default nlp.max_length, which LangChain keeps for the "sentencizer" pipeline. */
    private static final long SPACY_DEFAULT_MAX_LENGTH = 1_000_000;

    @FunctionalInterface
    private interface Factory {
        TextSplitter create(KwargsReader kwargs, ChunkSettings settings);
    }

    private final String sqlName;
    private final KeepSeparator defaultKeep;
    private final Set<String> accepted;
    private final Factory factory;

    SplitterKind(String sqlName, KeepSeparator defaultKeep, Set<String> ownKwargs, Factory factory) {
        this.sqlName = sqlName;
        this.defaultKeep = defaultKeep;
        this.accepted = new HashSet<>(ownKwargs);
        this.accepted.addAll(ChunkSettings.KWARGS);
        this.factory = factory;
    }

    static SplitterKind byName(String name) {
        for (SplitterKind kind : values()) {
            if (kind.sqlName.equals(name)) {
                return kind;
            }
        }
        String names = Arrays.stream(values()).map(k -> k.sqlName).collect(Collectors.joining(", "));
        throw new ChunkingException("unknown splitter " + (name == null ? "null" : PyText.quoted(name)) + "; use one of: " + names,
                "e.g. pgml.chunk('recursive_character', text, '{\"chunk_size\": 1000, \"chunk_overlap\": 100}')");
    }

    /** The configured splitter; kwargs are validated here, before any text is seen, as Python's constructor would. */
    TextSplitter create(Map<String, Object> kwargs) {
        KwargsReader reader = new KwargsReader(sqlName, kwargs, accepted);
        return factory.create(reader, ChunkSettings.read(reader, defaultKeep));
    }

    private static TextSplitter nltk(KwargsReader kwargs, ChunkSettings settings) {
        String separator = kwargs.string("separator", "\n\n");
        String language = kwargs.string("language", "english");
        if (!PUNKT_LANGUAGES.contains(language)) {
            throw new ChunkingException("NLTK has no Punkt sentence model for language " + PyText.quoted(language),
                    "use one of: " + String.join(", ", PUNKT_LANGUAGES));
        }
        boolean spans = kwargs.bool("use_span_tokenize", false);
        if (spans && !separator.isEmpty()) {
            throw new ChunkingException("When use_span_tokenize is True, separator should be ''",
                    "pass {\"use_span_tokenize\": true, \"separator\": \"\"}");
        }
        SentenceTextSplitter.Whitespace whitespace = spans ? SentenceTextSplitter.Whitespace.LEADING : SentenceTextSplitter.Whitespace.NONE;
        return new SentenceTextSplitter(separator, whitespace, Long.MAX_VALUE, settings);
    }

    private static TextSplitter spacy(KwargsReader kwargs, ChunkSettings settings) {
        String separator = kwargs.string("separator", "\n\n");
        String pipeline = kwargs.string("pipeline", "en_core_web_sm");
        long maxLength = kwargs.integer("max_length", SPACY_DEFAULT_MAX_LENGTH);
        long limit = "sentencizer".equals(pipeline) ? SPACY_DEFAULT_MAX_LENGTH : maxLength;
        SentenceTextSplitter.Whitespace whitespace = settings.stripWhitespace() ? SentenceTextSplitter.Whitespace.NONE : SentenceTextSplitter.Whitespace.TRAILING;
        return new SentenceTextSplitter(separator, whitespace, limit, settings);
    }
}
