package io.pgmlsidecar.planner.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.ModelNotFoundException;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.TokenSink;
import io.pgmlsidecar.ml.transformers.TransformRequest;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.ml.transformers.TransformTask;
import io.pgmlsidecar.ml.transformers.UnsupportedTaskException;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * pgml.transform on the sidecar's own model runtime (Hugging Face pipelines on ONNX Runtime), with
 * runtime failures turned into PostgreSQL errors and a client cancel into an interrupt.
 */
public final class LocalTransforms {
    private final TransformService service;

    /** @param service null when the sidecar runs without a model runtime */
    public LocalTransforms(TransformService service) {
        this.service = service;
    }

    /**
     * The pipeline's JSON output for the call. A model name that no model place knows may be a
     * project tuned with pgml.tune: its deployed model is then used.
     */
    public JsonNode transform(SessionContext session, TransformArguments call) {
        TransformRequest request = request(call);
        try (CancelWatch ignored = CancelWatch.start(session)) {
            if (call.model() != null && !isModelName(call.model())) { // e.g. a project name with spaces
                Path tuned = TunedProjects.directory(session, call.model(), runtime());
                if (tuned != null) {
                    return widenFloats(runtime().transform(atDirectory(request, tuned)));
                }
            }
            try {
                return widenFloats(runtime().transform(request));
            } catch (ModelNotFoundException e) {
                Path tuned = call.model() == null ? null : TunedProjects.directory(session, call.model(), runtime());
                if (tuned == null) {
                    throw e;
                }
                return widenFloats(runtime().transform(atDirectory(request, tuned)));
            }
        } catch (MlException e) {
            throw error(e, session);
        }
    }

    /**
     * Many calls with the same task, model and args (one per row of a query, S1–S3): their inputs go
     * to the pipeline as one batch and each call gets the part of the output for its own inputs, in
     * the shape a call of its own would have had. Conversations are one call each.
     */
    public List<JsonNode> transformRows(SessionContext session, List<TransformArguments> calls) {
        TransformArguments first = calls.get(0);
        TransformRequest probe = request(first);
        if (calls.size() == 1 || probe.task().task() == TransformTask.CONVERSATIONAL) {
            List<JsonNode> out = new ArrayList<>(calls.size());
            for (TransformArguments c : calls) {
                out.add(transform(session, c));
            }
            return out;
        }
        List<String> all = new ArrayList<>();
        for (TransformArguments c : calls) {
            all.addAll(c.inputs());
        }
        if (all.size() < 2) { // one input in all: the pipeline's single-input shape is already right
            List<JsonNode> out = new ArrayList<>(calls.size());
            for (TransformArguments c : calls) {
                out.add(transform(session, c));
            }
            return out;
        }
        JsonNode batch = transform(session, new TransformArguments(first.task(), first.args(), all));
        boolean unwrapsSingle = probe.task().task() == TransformTask.QUESTION_ANSWERING || probe.task().task() == TransformTask.FILL_MASK;
        List<JsonNode> out = new ArrayList<>(calls.size());
        int at = 0;
        for (TransformArguments c : calls) {
            int n = c.inputs().size();
            if (n == 1 && unwrapsSingle) {
                out.add(batch.get(at));
            } else {
                ArrayNode part = JsonNodeFactory.instance.arrayNode(n);
                for (int k = 0; k < n; k++) {
                    part.add(batch.get(at + k));
                }
                out.add(part);
            }
            at += n;
        }
        return out;
    }

    private static boolean isModelName(String name) {
        try {
            io.pgmlsidecar.ml.store.ModelLocator.validateName(name);
            return true;
        } catch (MlException e) {
            return false;
        }
    }

    private static TransformRequest atDirectory(TransformRequest request, Path tuned) {
        return new TransformRequest(request.task(), "pgml-tuned/" + tuned.getFileName(), request.args(), request.inputs(), tuned);
    }

    /**
     * For a text- or token-classification call (its inputs are not used): the model's files and its args as the pipeline reads
     * them, so that another engine classifies as {@link #transform} does. Empty for other tasks and for models this
     * runtime does not have (remote, tuned projects); a bad argument fails as the call itself would.
     */
    public java.util.Optional<io.pgmlsidecar.ml.transformers.ClassifierFiles> classifierFiles(SessionContext session, TransformArguments call) {
        TransformRequest request = request(call);
        TransformTask task = request.task().task();
        if (service == null || (task != TransformTask.TEXT_CLASSIFICATION && task != TransformTask.TOKEN_CLASSIFICATION)
                || (call.model() != null && !isModelName(call.model()))) {
            return java.util.Optional.empty();
        }
        try {
            return service.classifierFiles(request);
        } catch (ModelNotFoundException e) {
            return java.util.Optional.empty();
        } catch (MlException e) {
            throw error(e, session);
        }
    }

    /** True when {@code model} has been served by the local runtime already: local models come before remote ones. */
    public boolean servesLocally(String model) {
        return service != null && service.servesLocally(model);
    }

    /** True when {@code model} is a local cross-encoder (pgml.rank then scores text pairs with it). */
    public boolean isCrossEncoder(String model) {
        return service != null && service.isCrossEncoder(model);
    }

    /**
     * Relevance of each document to the query by a cross-encoder: the sigmoid of its one logit per
     * (query, document) pair, as sentence-transformers' CrossEncoder scores with one label.
     */
    public double[] pairScores(SessionContext session, String model, String query, List<String> documents) {
        List<JsonNode> pairs = new ArrayList<>(documents.size());
        for (String d : documents) {
            ObjectNode pair = JsonNodeFactory.instance.objectNode();
            pair.put("text", query);
            pair.put("text_pair", d);
            pairs.add(pair);
        }
        ObjectNode args = JsonNodeFactory.instance.objectNode().put("function_to_apply", "sigmoid");
        try (CancelWatch ignored = CancelWatch.start(session)) {
            JsonNode out = runtime().transform(new TransformRequest(new TransformTask.Parsed(TransformTask.TEXT_CLASSIFICATION, null, null),
                    model, args, pairs));
            double[] scores = new double[documents.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = out.get(i).get("score").asDouble();
            }
            return scores;
        } catch (MlException e) {
            throw error(e, session);
        }
    }

    /** Generates for one input, handing each step's text per sequence to {@code sink}. */
    public void stream(SessionContext session, TransformArguments call, TokenSink sink) {
        TransformRequest request = request(call);
        if (!request.task().task().generates()) {
            throw new PgException(PgError.error("0A000", "pgml.transform_stream serves generative tasks only, not " + call.taskName(),
                    "Use text-generation, text2text-generation, summarization, translation or conversational; "
                            + "pgml.transform answers the other tasks."));
        }
        try (CancelWatch ignored = CancelWatch.start(session)) {
            runtime().stream(request, sink);
        } catch (MlException e) {
            throw error(e, session);
        }
    }

    private TransformService runtime() {
        if (service == null) {
            throw new PgException("58000", "no model runtime is configured in this sidecar", "Start the sidecar with its ml-runtime.");
        }
        return service;
    }

    private static TransformRequest request(TransformArguments call) {
        TransformTask.Parsed task;
        try {
            task = TransformTask.parse(call.taskName());
        } catch (MlException e) {
            throw new PgException(PgError.error(e instanceof UnsupportedTaskException ? "0A000" : "22023", e.getMessage(),
                    "Pass a task name such as 'text-classification', or an object such as '{\"task\": \"translation_en_to_fr\", \"model\": \"google-t5/t5-small\"}'."));
        }
        List<JsonNode> inputs = new ArrayList<>(call.inputs().size());
        boolean structured = task.task() == TransformTask.CONVERSATIONAL || task.task() == TransformTask.QUESTION_ANSWERING;
        for (String in : call.inputs()) {
            if (in == null) {
                throw new PgException(PgError.error("22004", "an input of pgml.transform is NULL",
                        "Filter NULL inputs out, e.g. with array_remove(inputs, NULL)."));
            }
            inputs.add(structured ? TransformArguments.parse(in, task.task() == TransformTask.QUESTION_ANSWERING
                    ? "question-answering inputs are JSON objects such as {\"question\": \"…\", \"context\": \"…\"}"
                    : "conversational inputs are jsonb messages such as {\"role\": \"user\", \"content\": \"…\"}") : TextNode.valueOf(in));
        }
        return new TransformRequest(task, call.model(), call.args(), inputs);
    }

    /** PostgresML serialises Python floats (float32 scores widened to double): print them as such. */
    static JsonNode widenFloats(JsonNode node) {
        if (node.isFloat()) {
            return DoubleNode.valueOf(node.floatValue());
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
            for (JsonNode e : node) {
                out.add(widenFloats(e));
            }
            return out;
        }
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(e.getKey(), widenFloats(e.getValue()));
            }
            return out;
        }
        return node;
    }

    private static PgException error(MlException e, SessionContext session) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = message.indexOf('\n');
        String first = nl < 0 ? message : message.substring(0, nl);
        String detail = nl < 0 ? null : message.substring(nl + 1);
        if (session.cancelRequested() || e.getCause() instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
            return new PgException(new PgError("ERROR", "57014", "canceling statement due to user request", null, null, 0), e);
        }
        if (e instanceof ModelNotFoundException) {
            return new PgException(new PgError("ERROR", "42704", first, detail,
                    "Place the model in Hugging Face layout with its ONNX export in the sidecar's models directory "
                            + "(java -jar pgml-sidecar.jar download <org/name> --models-dir <dir>), or name a remote model "
                            + "(pgml.remote_models, or 'openai:<model>').", 0), e);
        }
        if (e instanceof ModelFormatException) {
            return new PgException(new PgError("ERROR", "22023", first, detail,
                    "Only ONNX graphs run in the sidecar: export the model with `optimum-cli export onnx --model <org/name> <dir>`.", 0), e);
        }
        if (e instanceof InvalidArgumentsException) {
            return new PgException(new PgError("ERROR", "22023", first, detail,
                    "See the Hugging Face pipeline documentation of the task for its arguments.", 0), e);
        }
        if (e instanceof UnsupportedTaskException) {
            return new PgException(new PgError("ERROR", "0A000", first, detail,
                    "See the API coverage table in pgml-sidecar's README for the tasks served.", 0), e);
        }
        return new PgException(new PgError("ERROR", "38000", "pgml.transform failed: " + first, detail,
                "Check the task, model and args of the call.", 0), e);
    }
}
