package io.pgmlsidecar.ml.transformers;

import io.pgmlsidecar.ml.MlException;
import java.util.Locale;

/**
 * The Hugging Face pipeline tasks served locally, with the task strings and aliases that
 * {@code transformers.pipeline(task=…)} accepts and its default model per task (as pinned by
 * PostgresML's transformers version).
 */
public enum TransformTask {
    TEXT_CLASSIFICATION("text-classification", "distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
    TOKEN_CLASSIFICATION("token-classification", "dbmdz/bert-large-cased-finetuned-conll03-english"),
    QUESTION_ANSWERING("question-answering", "distilbert/distilbert-base-cased-distilled-squad"),
    FILL_MASK("fill-mask", "distilbert/distilroberta-base"),
    ZERO_SHOT_CLASSIFICATION("zero-shot-classification", "facebook/bart-large-mnli"),
    FEATURE_EXTRACTION("feature-extraction", "distilbert/distilbert-base-cased"),
    TEXT_GENERATION("text-generation", "openai-community/gpt2"),
    TEXT2TEXT_GENERATION("text2text-generation", "google-t5/t5-base"),
    SUMMARIZATION("summarization", "sshleifer/distilbart-cnn-12-6"),
    TRANSLATION("translation", "google-t5/t5-base"),
    CONVERSATIONAL("conversational", null);

    private final String hfName;
    private final String defaultModel;

    TransformTask(String hfName, String defaultModel) {
        this.hfName = hfName;
        this.defaultModel = defaultModel;
    }

    /** The pipeline task name, e.g. {@code text-classification}. */
    public String hfName() {
        return hfName;
    }

    /** transformers' default model for the task; null when the task needs an explicit model. */
    public String defaultModel() {
        return defaultModel;
    }

    /** True for the tasks that produce text token by token (and can stream). */
    public boolean generates() {
        return switch (this) {
            case TEXT_GENERATION, TEXT2TEXT_GENERATION, SUMMARIZATION, TRANSLATION, CONVERSATIONAL -> true;
            default -> false;
        };
    }

    /** A task string as given to pgml.transform, with its translation languages when it names them. */
    public record Parsed(TransformTask task, String sourceLanguage, String targetLanguage) {}

    /**
     * Parses a task string: the names above plus {@code sentiment-analysis}, {@code ner},
     * {@code translation_xx_to_yy} and {@code text2text}.
     */
    public static Parsed parse(String name) {
        if (name == null || name.isBlank()) {
            throw new MlException("the task is missing: name one, e.g. 'text-classification', or '{\"task\": \"translation_en_to_fr\", \"model\": \"…\"}'");
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        switch (n) {
            case "sentiment-analysis" -> { return new Parsed(TEXT_CLASSIFICATION, null, null); }
            case "ner" -> { return new Parsed(TOKEN_CLASSIFICATION, null, null); }
            case "text2text" -> { return new Parsed(TEXT2TEXT_GENERATION, null, null); }
            default -> { }
        }
        if (n.startsWith("translation_")) {
            String[] parts = n.substring("translation_".length()).split("_to_");
            if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                return new Parsed(TRANSLATION, parts[0], parts[1]);
            }
        }
        for (TransformTask t : values()) {
            if (t.hfName.equals(n)) return new Parsed(t, null, null);
        }
        throw new UnsupportedTaskException("unknown task '" + name + "'. Served tasks: text-classification"
                + " (sentiment-analysis), token-classification (ner), question-answering, fill-mask,"
                + " zero-shot-classification, feature-extraction, text-generation, text2text-generation, summarization,"
                + " translation (translation_xx_to_yy), conversational");
    }
}
