package io.pgmlsidecar.ml.pipelines;

import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.store.ModelProfile;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code kwargs} of {@code pgml.embed}, as sentence-transformers' {@code encode} reads them.
 *
 * <ul>
 *   <li>{@code prompt}: text prepended to every input (e.g. {@code "query: "} for e5 models; nothing is
 *       added unless asked). {@code instruction} is the same (PostgresML maps it to {@code prompt} for
 *       instructor models); {@code prompt} wins when both are given.</li>
 *   <li>{@code prompt_name}: a named prompt of the model's {@code config_sentence_transformers.json};
 *       without prompt/prompt_name the model's {@code default_prompt_name} applies, if any.</li>
 *   <li>{@code normalize_embeddings}: true L2-normalizes the output. A model whose pipeline normalizes
 *       (all bundled ones do) stays normalized when false, as in sentence-transformers.</li>
 *   <li>{@code truncate_dim}: keep the first N dimensions (after the model's own normalization; set
 *       {@code normalize_embeddings} to re-normalize).</li>
 *   <li>{@code batch_size}: texts per inference call for this request.</li>
 *   <li>{@code precision}: only {@code float32}.</li>
 * </ul>
 * Constructor-side keys ({@code device, trust_remote_code, revision, model_kwargs, tokenizer_kwargs,
 * config_kwargs, token, cache}) and display keys ({@code show_progress_bar, convert_to_numpy,
 * convert_to_tensor}) are accepted and ignored; unknown keys fail.
 */
public record EmbedOptions(String prompt, boolean normalize, Integer truncateDim, Integer batchSize) {
    private static final Set<String> IGNORED = Set.of("device", "trust_remote_code", "revision", "model_kwargs",
            "tokenizer_kwargs", "config_kwargs", "token", "cache", "show_progress_bar", "convert_to_numpy",
            "convert_to_tensor", "output_value", "cache_folder", "local_files_only", "backend");

    public static final EmbedOptions DEFAULT = new EmbedOptions(null, false, null, null);

    public static EmbedOptions parse(Map<String, ?> kwargs, ModelProfile profile) {
        String prompt = null, instruction = null, promptName = null;
        boolean normalize = false;
        Integer truncateDim = null, batchSize = null;
        if (kwargs != null) {
            for (Map.Entry<String, ?> e : kwargs.entrySet()) {
                String k = e.getKey();
                Object v = e.getValue();
                if (v == null) continue;
                switch (k) {
                    case "prompt" -> prompt = str(k, v);
                    case "instruction" -> instruction = str(k, v);
                    case "prompt_name" -> promptName = str(k, v);
                    case "normalize_embeddings" -> normalize = bool(k, v);
                    case "truncate_dim" -> truncateDim = positiveInt(k, v);
                    case "batch_size" -> batchSize = positiveInt(k, v);
                    case "precision" -> {
                        if (!"float32".equals(str(k, v))) {
                            throw new MlException("kwarg precision='" + v + "' is not supported (only float32)");
                        }
                    }
                    default -> {
                        if (!IGNORED.contains(k)) {
                            throw new MlException("unknown embed kwarg '" + k + "' (supported: prompt, instruction,"
                                    + " prompt_name, normalize_embeddings, truncate_dim, batch_size, precision)");
                        }
                    }
                }
            }
        }
        if (prompt == null) prompt = instruction;
        if (prompt == null && promptName != null) {
            prompt = profile.prompts().get(promptName);
            if (prompt == null) {
                throw new MlException("prompt_name '" + promptName + "' is not one of the model's prompts "
                        + profile.prompts().keySet());
            }
        }
        if (prompt == null && profile.defaultPromptName() != null) {
            prompt = profile.prompts().get(profile.defaultPromptName());
        }
        if (prompt != null && prompt.isEmpty()) prompt = null;
        return new EmbedOptions(prompt, normalize, truncateDim, batchSize);
    }

    private static String str(String k, Object v) {
        if (v instanceof CharSequence s) return s.toString();
        throw new MlException("kwarg " + k + " must be a string, got " + v);
    }

    private static boolean bool(String k, Object v) {
        if (v instanceof Boolean b) return b;
        if (v instanceof CharSequence s) {
            String x = s.toString().trim().toLowerCase(Locale.ROOT);
            if (x.equals("true") || x.equals("t") || x.equals("1")) return true;
            if (x.equals("false") || x.equals("f") || x.equals("0")) return false;
        }
        if (v instanceof Number n) return n.intValue() != 0;
        throw new MlException("kwarg " + k + " must be a boolean, got " + v);
    }

    private static int positiveInt(String k, Object v) {
        long x;
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) x = n.longValue();
        else if (v instanceof CharSequence s) {
            try {
                x = Long.parseLong(s.toString().trim());
            } catch (NumberFormatException e) {
                throw new MlException("kwarg " + k + " must be a positive integer, got " + v);
            }
        } else throw new MlException("kwarg " + k + " must be a positive integer, got " + v);
        if (x < 1 || x > Integer.MAX_VALUE) throw new MlException("kwarg " + k + " must be a positive integer, got " + v);
        return (int) x;
    }
}
