package io.pgmlsidecar.ml.tune;

/**
 * One training or evaluation example: a text (or a text pair, for text-pair-classification) and its
 * class as a string (PostgresML reads the class column as text).
 *
 * @param text     the text, or the first text of a pair; never null
 * @param textPair the second text of a pair, null for single-text classification
 * @param label    the class; never null
 */
public record LabeledText(String text, String textPair, String label) {
    public static LabeledText of(String text, String label) {
        return new LabeledText(text, null, label);
    }

    public static LabeledText pair(String text, String textPair, String label) {
        return new LabeledText(text, textPair, label);
    }

    public boolean isPair() {
        return textPair != null;
    }
}
