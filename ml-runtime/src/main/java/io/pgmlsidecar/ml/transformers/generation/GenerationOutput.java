package io.pgmlsidecar.ml.transformers.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.pgmlsidecar.ml.transformers.TransformTask;
import java.util.List;

/**
 * Generated tokens → text, and the JSON the Hugging Face pipelines return for them (PostgresML
 * §1.8): text-generation {@code [[{"generated_text"}…]…]}; text2text {@code [{"generated_text"}]};
 * summarization {@code [{"summary_text"}]}; translation {@code [{"translation_text"}]} (a list per
 * input when several sequences are returned); conversational {@code ["reply", …]}.
 */
final class GenerationOutput {
    private final TransformTask task;
    private final DecodingTokenizer tokenizer;
    private final boolean encoderDecoder;

    GenerationOutput(TransformTask task, DecodingTokenizer tokenizer, boolean encoderDecoder) {
        this.task = task;
        this.tokenizer = tokenizer;
        this.encoderDecoder = encoderDecoder;
    }

    /**
     * The text of the new tokens, special tokens skipped. A decoder-only continuation is decoded
     * together with its prompt and the prompt's own decoding cut off, so that a word split across the
     * boundary keeps its spacing (as transformers' text-generation pipeline does).
     */
    String newText(long[] prompt, long[] newTokens) {
        if (encoderDecoder || task == TransformTask.CONVERSATIONAL) return tokenizer.decode(newTokens);
        long[] all = new long[prompt.length + newTokens.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(newTokens, 0, all, prompt.length, newTokens.length);
        String full = tokenizer.decode(all);
        String head = tokenizer.decode(prompt);
        return full.startsWith(head) ? full.substring(head.length()) : tokenizer.decode(newTokens);
    }

    JsonNode format(List<JsonNode> inputs, List<long[]> prompts, List<List<long[]>> perInput, boolean fullText) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ArrayNode out = f.arrayNode();
        if (task == TransformTask.CONVERSATIONAL) {
            for (long[] seq : perInput.get(0)) out.add(newText(prompts.get(0), seq));
            return out;
        }
        String key = switch (task) {
            case SUMMARIZATION -> "summary_text";
            case TRANSLATION -> "translation_text";
            default -> "generated_text";
        };
        boolean flat = task != TransformTask.TEXT_GENERATION && perInput.stream().allMatch(g -> g.size() == 1);
        for (int i = 0; i < perInput.size(); i++) {
            ArrayNode group = f.arrayNode();
            for (long[] seq : perInput.get(i)) {
                String text = newText(prompts.get(i), seq);
                if (fullText) text = inputs.get(i).asText() + text;
                group.addObject().put(key, text);
            }
            if (flat) out.add(group.get(0));
            else out.add(group);
        }
        return out;
    }
}
