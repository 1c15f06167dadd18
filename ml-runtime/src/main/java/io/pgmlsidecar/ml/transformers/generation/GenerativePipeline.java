package io.pgmlsidecar.ml.transformers.generation;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TaskPipeline;
import io.pgmlsidecar.ml.transformers.TokenSink;
import io.pgmlsidecar.ml.transformers.TransformTask;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The generative pipelines: text-generation, text2text-generation, summarization, translation and
 * conversational, on a decoder-only ({@link CausalLm}) or encoder-decoder ({@link Seq2SeqLm}) model.
 * Outputs are shaped as the Hugging Face pipelines return them (see {@link GenerationOutput}).
 */
public final class GenerativePipeline extends TaskPipeline {
    private final TransformTask.Parsed task;
    private final TransformerModel model;
    private final DecodingTokenizer tokenizer;
    private final StepModel stepModel;
    private final boolean encoderDecoder;
    private final JsonNode taskParams;
    private final long weight;
    /** Tokens fed through the decoder by the last call on this thread (tests check the cache with it). */
    private final ThreadLocal<Long> lastTokensFed = ThreadLocal.withInitial(() -> 0L);

    private GenerativePipeline(TransformTask.Parsed task, TransformerModel model, DecodingTokenizer tokenizer,
                               StepModel stepModel, boolean encoderDecoder) {
        this.task = task;
        this.model = model;
        this.tokenizer = tokenizer;
        this.stepModel = stepModel;
        this.encoderDecoder = encoderDecoder;
        this.taskParams = PromptPrefix.taskParams(model.config(), task.task(), task.sourceLanguage(), task.targetLanguage());
        this.weight = model.onnxBytes();
    }

    public static GenerativePipeline open(TransformTask.Parsed task, String modelName, PipelineContext context) {
        TransformerModel model = context.model(modelName);
        boolean seq2seq = Seq2SeqLm.isLayoutOf(model);
        TransformTask t = task.task();
        if (!seq2seq && t != TransformTask.TEXT_GENERATION && t != TransformTask.CONVERSATIONAL) {
            throw new ModelFormatException("task " + t.hfName() + " needs an encoder-decoder model (encoder_model.onnx and"
                    + " decoder graphs); '" + modelName + "' has none. Export it with optimum-cli export onnx --task"
                    + " text2text-generation-with-past");
        }
        if (!seq2seq && !CausalLm.isLayoutOf(model)) {
            throw new ModelFormatException("model '" + modelName + "' has no decoder graph (decoder_model_merged.onnx,"
                    + " decoder_with_past_model.onnx or model.onnx). Export it with optimum-cli export onnx --task"
                    + " text-generation-with-past");
        }
        DecodingTokenizer tokenizer = DecodingTokenizer.load(model.tokenizerFile());
        try {
            StepModel step = seq2seq
                    ? Seq2SeqLm.open(model, context.sessions(), decoderStart(model))
                    : CausalLm.open(model, context.sessions());
            return new GenerativePipeline(task, model, tokenizer, step, seq2seq);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static long decoderStart(TransformerModel model) {
        for (JsonNode src : List.of(model.generationConfig(), model.config())) {
            if (src.path("decoder_start_token_id").isIntegralNumber()) return src.get("decoder_start_token_id").asLong();
        }
        for (JsonNode src : List.of(model.generationConfig(), model.config())) {
            if (src.path("pad_token_id").isIntegralNumber()) return src.get("pad_token_id").asLong();
        }
        throw new ModelFormatException("model '" + model.name() + "' names no decoder_start_token_id (nor pad_token_id)"
                + " in generation_config.json or config.json");
    }

    private Set<String> acceptedKeys() {
        Set<String> keys = new HashSet<>(GenerationConfig.KEYS);
        switch (task.task()) {
            case TEXT_GENERATION -> keys.add("return_full_text");
            case CONVERSATIONAL -> keys.add("chat_template");
            case TRANSLATION -> keys.addAll(List.of("src_lang", "tgt_lang"));
            default -> { }
        }
        return keys;
    }

    private GenerationConfig config(PipelineArgs args) {
        args.onlyKeys(acceptedKeys());
        List<JsonNode> layers = List.of(PromptPrefix.defaults(effectiveTaskParams(args)), model.generationConfig(), model.config());
        return GenerationConfig.resolve(args, layers, text -> {
            var id = tokenizer.tokenId(text);
            return id.isPresent() ? id.getAsLong() : null;
        });
    }

    private JsonNode effectiveTaskParams(PipelineArgs args) {
        if (task.task() == TransformTask.TRANSLATION && args.has("src_lang") && args.has("tgt_lang")) {
            return PromptPrefix.taskParams(model.config(), task.task(), args.string("src_lang", null), args.string("tgt_lang", null));
        }
        return taskParams;
    }

    /** The prompts' token ids: the chat rendered through its template, else each input with the task prefix. */
    private List<long[]> prompts(List<JsonNode> inputs, PipelineArgs args) {
        List<long[]> out = new ArrayList<>();
        if (task.task() == TransformTask.CONVERSATIONAL) {
            String template = args.has("chat_template") ? args.string("chat_template", null)
                    : model.tokenizerConfig().path("chat_template").isTextual() ? model.tokenizerConfig().get("chat_template").asText() : null;
            if (template == null) {
                throw new InvalidArgumentsException("model '" + model.name() + "' has no chat_template in tokenizer_config.json;"
                        + " pass one in args: {\"chat_template\": \"{% for m in messages %}…\"}");
            }
            String text = ChatTemplate.render(template, ChatTemplate.messages(inputs),
                    model.specialToken("bos_token").orElse(""), model.specialToken("eos_token").orElse(""));
            out.add(nonEmpty(tokenizer.encode(text, false)));
            return out;
        }
        if (inputs.isEmpty()) throw new InvalidArgumentsException("task " + task.task().hfName() + " needs at least one input");
        String prefix = PromptPrefix.prefix(effectiveTaskParams(args));
        for (JsonNode in : inputs) {
            if (!in.isTextual()) throw new InvalidArgumentsException("inputs of task " + task.task().hfName() + " must be text, got " + in);
            out.add(nonEmpty(tokenizer.encode(prefix + in.asText(), true)));
        }
        return out;
    }

    private long[] nonEmpty(long[] ids) {
        if (ids.length > 0) return ids;
        for (JsonNode src : List.of(model.generationConfig(), model.config())) {
            if (src.path("bos_token_id").isIntegralNumber()) return new long[] {src.get("bos_token_id").asLong()};
        }
        throw new InvalidArgumentsException("the input is empty and model '" + model.name() + "' has no bos_token_id to start from");
    }

    @Override
    public JsonNode run(List<JsonNode> inputs, PipelineArgs args) {
        GenerationConfig cfg = config(args);
        boolean fullText = task.task() == TransformTask.TEXT_GENERATION && args.bool("return_full_text", true);
        List<long[]> prompts = prompts(inputs, args);
        Generator.Result result = Generator.generate(stepModel, prompts, cfg, null);
        lastTokensFed.set(result.tokensFed());
        GenerationOutput output = new GenerationOutput(task.task(), tokenizer, encoderDecoder);
        return output.format(inputs, prompts, result.perInput(), fullText);
    }

    @Override
    public void stream(List<JsonNode> inputs, PipelineArgs args, TokenSink sink) {
        GenerationConfig cfg = config(args);
        if (args.has("return_full_text")) args.bool("return_full_text", true);
        List<long[]> prompts = prompts(inputs, args);
        if (prompts.size() != 1) {
            throw new InvalidArgumentsException("transform_stream generates for one input, got " + prompts.size());
        }
        GenerationOutput output = new GenerationOutput(task.task(), tokenizer, encoderDecoder);
        TextStreamer streamer = new TextStreamer(output, prompts.get(0), sink);
        Generator.Result result = Generator.generate(stepModel, prompts, cfg, cfg.numBeams() > 1 ? null : streamer::step);
        lastTokensFed.set(result.tokensFed());
        if (cfg.numBeams() > 1) streamer.step(result.perInput().get(0)); // beams settle only at the end
    }

    /** Tokens the decoder was fed by this thread's last call (prompt once, then one per step and row). */
    public long lastTokensFed() {
        return lastTokensFed.get();
    }

    @Override
    public long weightBytes() {
        return Math.max(1, weight);
    }

    @Override
    protected void doClose() {
        stepModel.close();
        tokenizer.close();
    }
}
