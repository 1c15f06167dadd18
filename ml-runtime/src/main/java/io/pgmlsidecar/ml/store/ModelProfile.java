package io.pgmlsidecar.ml.store;

import io.pgmlsidecar.ml.pipelines.Pooling;
import java.util.List;
import java.util.Map;

/**
 * How a model turns text into one vector, as sentence-transformers would run it: pooling, whether a
 * {@code Normalize} module follows, the max sequence length (longer inputs are truncated), the named
 * prompts of {@code config_sentence_transformers.json}, and the padding token.
 *
 * @param pooling            pooling modes; several are concatenated in this order (rare)
 * @param normalize          whether the model L2-normalizes (sentence-transformers {@code Normalize} module)
 * @param maxLength          max tokens per input including special tokens
 * @param prompts            named prompts ({@code prompt_name} kwarg); may be empty
 * @param defaultPromptName  prompt applied when the caller gives none; null = none
 * @param padToken           padding token text, null = look it up in tokenizer.json
 * @param unsupportedModules sentence-transformers modules after pooling that are not in the ONNX graph
 *                           (e.g. {@code Dense}); the graph must then output {@code sentence_embedding}
 */
public record ModelProfile(
        List<Pooling> pooling,
        boolean normalize,
        int maxLength,
        Map<String, String> prompts,
        String defaultPromptName,
        String padToken,
        List<String> unsupportedModules) {

    public ModelProfile {
        pooling = List.copyOf(pooling);
        if (pooling.isEmpty()) throw new IllegalArgumentException("no pooling mode");
        if (maxLength < 2) throw new IllegalArgumentException("maxLength must be >= 2: " + maxLength);
        prompts = Map.copyOf(prompts);
        unsupportedModules = List.copyOf(unsupportedModules);
    }

    public static ModelProfile of(Pooling pooling, boolean normalize, int maxLength) {
        return new ModelProfile(List.of(pooling), normalize, maxLength, Map.of(), null, null, List.of());
    }
}
