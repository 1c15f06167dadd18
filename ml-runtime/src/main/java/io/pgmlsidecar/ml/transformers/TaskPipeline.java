package io.pgmlsidecar.ml.transformers;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.store.CachedModel;
import java.util.List;

/**
 * A loaded Hugging Face pipeline for one task and model. Outputs are the JSON that
 * {@code transformers.pipeline(...)(inputs, **args)} returns for a list of inputs, as PostgresML
 * serialises it. Thread-safe: sessions run concurrently.
 */
public abstract class TaskPipeline extends CachedModel {

    /**
     * Runs the pipeline.
     *
     * @param inputs text nodes, or objects for tasks whose inputs are structured (question-answering's
     *               {@code {"question", "context"}}, conversational messages)
     */
    public abstract JsonNode run(List<JsonNode> inputs, PipelineArgs args);

    /** Generates for one input, handing text to {@code sink} as it is produced. Generative tasks only. */
    public void stream(List<JsonNode> inputs, PipelineArgs args, TokenSink sink) {
        throw new UnsupportedTaskException("streaming is only served for generative tasks (text-generation,"
                + " text2text-generation, summarization, translation, conversational)");
    }
}
