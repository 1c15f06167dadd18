package io.pgmlsidecar.ml.transformers.generation;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The settings of one {@code generate()} call, as transformers resolves them: the call's arguments,
 * then the task's {@code task_specific_params}, then {@code generation_config.json}, then
 * {@code config.json}, then transformers' defaults (max_length 20, top_k 50, …).
 *
 * @param maxLength       total length (prompt + new tokens for decoder-only models; decoder tokens with the
 *                        start token for encoder-decoders); used when maxNewTokens is null
 * @param maxNewTokens    new tokens at most, or null
 * @param earlyStopping   "true", "false" or "never" (beam search)
 * @param explicitLength  whether the length came from the call (beyond the cap it is an error, else clamped)
 */
public record GenerationConfig(
        int maxLength,
        Integer maxNewTokens,
        int minLength,
        int minNewTokens,
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        int numBeams,
        int numReturnSequences,
        double repetitionPenalty,
        double lengthPenalty,
        String earlyStopping,
        long[] eosTokenIds,
        long padTokenId,
        long decoderStartTokenId,
        Long seed,
        boolean explicitLength) {

    /** Keys of {@code model.generate(**kwargs)} served here (plus {@code eos_token}, mapped as PostgresML does). */
    public static final Set<String> KEYS = Set.of("max_length", "max_new_tokens", "min_length", "min_new_tokens",
            "do_sample", "temperature", "top_k", "top_p", "num_beams", "num_return_sequences", "repetition_penalty",
            "length_penalty", "early_stopping", "eos_token_id", "eos_token", "pad_token_id", "bos_token_id",
            "decoder_start_token_id", "seed", "use_cache");

    /** Default hard cap on new tokens per call; override with the system property {@value #CAP_PROPERTY}. */
    public static final int DEFAULT_MAX_NEW_TOKENS_CAP = 2048;
    public static final String CAP_PROPERTY = "pgml.sidecar.max_new_tokens";

    public static int maxNewTokensCap() {
        return Integer.getInteger(CAP_PROPERTY, DEFAULT_MAX_NEW_TOKENS_CAP);
    }

    /**
     * @param args      the call's arguments (already checked for unknown keys)
     * @param layers    default sources after the arguments, most specific first (task params, generation
     *                  config, config.json); each may be missing
     * @param tokenId   maps {@code eos_token} text to its id
     */
    public static GenerationConfig resolve(PipelineArgs args, List<JsonNode> layers, Function<String, Long> tokenId) {
        Defaults d = new Defaults(layers);
        boolean explicit = args.has("max_length") || args.has("max_new_tokens");
        int maxLength = args.integer("max_length", d.integer("max_length", 20), 1, Integer.MAX_VALUE);
        Integer maxNew = args.has("max_new_tokens") ? Integer.valueOf(args.integer("max_new_tokens", 0, 1, Integer.MAX_VALUE))
                : explicit ? null : d.has("max_new_tokens") ? d.integer("max_new_tokens", 0) : null;
        int minLength = args.integer("min_length", d.integer("min_length", 0), 0, Integer.MAX_VALUE);
        int minNew = args.integer("min_new_tokens", d.integer("min_new_tokens", 0), 0, Integer.MAX_VALUE);
        boolean doSample = args.bool("do_sample", d.bool("do_sample", false));
        double temperature = args.number("temperature", d.number("temperature", 1.0));
        int topK = args.integer("top_k", d.integer("top_k", 50), 0, Integer.MAX_VALUE);
        double topP = args.number("top_p", d.number("top_p", 1.0));
        int numBeams = args.integer("num_beams", d.integer("num_beams", 1), 1, 64);
        int numReturn = args.integer("num_return_sequences", d.integer("num_return_sequences", 1), 1, 64);
        double repetition = args.number("repetition_penalty", d.number("repetition_penalty", 1.0));
        double lengthPenalty = args.number("length_penalty", d.number("length_penalty", 1.0));
        String early = earlyStopping(args.has("early_stopping") ? args.raw("early_stopping") : d.get("early_stopping"));
        long[] eos;
        if (args.has("eos_token")) {
            String text = args.string("eos_token", null);
            Long id = tokenId.apply(text);
            if (id == null) {
                throw new InvalidArgumentsException("argument 'eos_token': '" + text + "' is not a single token of the model's vocabulary");
            }
            eos = new long[] {id};
        } else {
            eos = ids("eos_token_id", args.has("eos_token_id") ? args.raw("eos_token_id") : d.get("eos_token_id"));
        }
        long pad = args.has("pad_token_id") ? args.integer("pad_token_id", 0, 0, Integer.MAX_VALUE)
                : d.has("pad_token_id") ? d.integer("pad_token_id", 0) : eos.length > 0 ? eos[0] : 0;
        long start = args.has("decoder_start_token_id") ? args.integer("decoder_start_token_id", 0, 0, Integer.MAX_VALUE)
                : d.has("decoder_start_token_id") ? d.integer("decoder_start_token_id", 0) : pad;
        Long seed = args.has("seed") ? Long.valueOf(args.integer("seed", 0)) : null;
        args.bool("use_cache", true);
        if (args.has("bos_token_id")) args.integer("bos_token_id", 0);

        if (doSample && !(temperature > 0)) {
            throw new InvalidArgumentsException("argument 'temperature' must be > 0 when sampling, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw new InvalidArgumentsException("argument 'top_p' must be in (0, 1], got " + topP);
        if (!(repetition > 0)) {
            throw new InvalidArgumentsException("argument 'repetition_penalty' must be > 0, got " + repetition);
        }
        if (numBeams == 1 && !doSample && numReturn > 1) {
            throw new InvalidArgumentsException("argument 'num_return_sequences' is " + numReturn + " but greedy search"
                    + " returns one sequence: set do_sample=true or num_beams >= num_return_sequences");
        }
        if (numBeams > 1 && numReturn > numBeams) {
            throw new InvalidArgumentsException("argument 'num_return_sequences' (" + numReturn
                    + ") must not exceed 'num_beams' (" + numBeams + ")");
        }
        int cap = maxNewTokensCap();
        if (maxNew != null && maxNew > cap) {
            throw new InvalidArgumentsException("argument 'max_new_tokens' is " + maxNew + ", above this server's cap of "
                    + cap + " new tokens per call (system property " + CAP_PROPERTY + ")");
        }
        return new GenerationConfig(maxLength, maxNew, minLength, minNew, doSample, temperature, topK, topP, numBeams,
                numReturn, repetition, lengthPenalty, early, eos, pad, start, seed, explicit);
    }

    /**
     * New tokens allowed after a prompt of {@code initialLength} tokens (the prompt for decoder-only
     * models, the start token for encoder-decoders): max_new_tokens, else max_length minus that length,
     * at most the cap.
     */
    public int newTokenLimit(int initialLength) {
        int cap = maxNewTokensCap();
        if (maxNewTokens != null) return maxNewTokens;
        int n = maxLength - initialLength;
        if (n > cap) {
            if (explicitLength) {
                throw new InvalidArgumentsException("argument 'max_length' is " + maxLength + ": that is " + n
                        + " new tokens, above this server's cap of " + cap + " per call (system property "
                        + CAP_PROPERTY + ")");
            }
            return cap;
        }
        return Math.max(0, n);
    }

    /** Total rows expanded per input: beams, or sampled sequences. */
    public int rowsPerInput() {
        return numBeams > 1 ? numBeams : numReturnSequences;
    }

    public boolean isEos(long token) {
        for (long e : eosTokenIds) if (e == token) return true;
        return false;
    }

    private static String earlyStopping(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return "false";
        if (v.isBoolean()) return Boolean.toString(v.asBoolean());
        if (v.isTextual() && v.asText().toLowerCase(Locale.ROOT).equals("never")) return "never";
        throw new InvalidArgumentsException("argument 'early_stopping' must be true, false or \"never\", got " + v);
    }

    private static long[] ids(String key, JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return new long[0];
        if (v.isIntegralNumber()) return new long[] {v.asLong()};
        if (v.isArray()) {
            List<Long> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isIntegralNumber()) break;
                out.add(e.asLong());
            }
            if (out.size() == v.size()) return out.stream().mapToLong(Long::longValue).toArray();
        }
        throw new InvalidArgumentsException("argument '" + key + "' must be a token id or a list of token ids, got " + v);
    }

    /** Defaults read from layered JSON objects (first that has the key wins). */
    private record Defaults(List<JsonNode> layers) {
        JsonNode get(String key) {
            for (JsonNode l : layers) {
                if (l != null && l.hasNonNull(key)) return l.get(key);
            }
            return null;
        }

        boolean has(String key) {
            return get(key) != null;
        }

        int integer(String key, int dflt) {
            JsonNode v = get(key);
            return v != null && v.isNumber() ? v.asInt() : dflt;
        }

        double number(String key, double dflt) {
            JsonNode v = get(key);
            return v != null && v.isNumber() ? v.asDouble() : dflt;
        }

        boolean bool(String key, boolean dflt) {
            JsonNode v = get(key);
            return v != null && v.isBoolean() ? v.asBoolean() : dflt;
        }
    }
}
