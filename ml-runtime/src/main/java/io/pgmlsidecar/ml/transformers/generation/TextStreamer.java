package io.pgmlsidecar.ml.transformers.generation;

import io.pgmlsidecar.ml.transformers.TokenSink;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns generated tokens into the text increments of pgml.transform_stream: each step the sequences
 * are decoded whole and the text beyond what was already sent goes to the sink, so characters and
 * words spread over several tokens come out right. Text ending in an incomplete character (U+FFFD) is
 * held back until the next token completes it; steps with no new text on any sequence are not sent.
 */
final class TextStreamer {
    private final GenerationOutput output;
    private final long[] prompt;
    private final TokenSink sink;
    private final List<String> sent = new ArrayList<>();

    TextStreamer(GenerationOutput output, long[] prompt, TokenSink sink) {
        this.output = output;
        this.prompt = prompt;
        this.sink = sink;
    }

    void step(List<long[]> newTokensPerSequence) {
        while (sent.size() < newTokensPerSequence.size()) sent.add("");
        List<String> increments = new ArrayList<>(newTokensPerSequence.size());
        boolean any = false;
        for (int i = 0; i < newTokensPerSequence.size(); i++) {
            String text = output.newText(prompt, newTokensPerSequence.get(i));
            String before = sent.get(i);
            String inc = "";
            if (!text.endsWith("\uFFFD")) {
                inc = text.startsWith(before) ? text.substring(before.length()) : text;
                sent.set(i, text);
            }
            increments.add(inc);
            any |= !inc.isEmpty();
        }
        if (any) sink.accept(increments);
    }
}
