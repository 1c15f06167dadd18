package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.remote.CallOptions;
import io.pgmlsidecar.ml.remote.Endpoint;
import io.pgmlsidecar.ml.remote.EndpointKind;
import io.pgmlsidecar.ml.remote.OpenAiFineTuning;
import io.pgmlsidecar.ml.remote.RemoteCallException;
import io.pgmlsidecar.ml.remote.RemoteModels;
import io.pgmlsidecar.ml.remote.TrainingJsonl;
import io.pgmlsidecar.planner.remote.RemoteEmbeddings;
import io.pgmlsidecar.planner.remote.RemoteFailures;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * pgml.tune for generative tasks (translation, summarization, text-generation, text2text,
 * conversation) on a remote OpenAI-compatible fine-tuning API: the training split goes up as chat
 * JSONL (the test split as the validation file), a job is created and polled while its events
 * become NOTICEs and log rows, and the fine-tuned model it yields becomes the project's model.
 */
final class RemoteTuning {

    /** What the job produced. */
    record Result(String endpointName, String jobId, String fineTunedModel, Map<String, Object> metrics) {}

    private final RemoteEmbeddings endpoints;
    private final RemoteModels remote;

    RemoteTuning(RemoteEmbeddings endpoints, RemoteModels remote) {
        this.endpoints = endpoints;
        this.remote = remote;
    }

    /** The remote chat endpoint model_name names, or an error saying how to configure one. */
    Endpoint provider(SessionContext session, String task, String modelName) {
        Endpoint endpoint = modelName == null ? null : endpoints.endpoint(session, modelName);
        if (endpoint == null || (endpoint.kind() != EndpointKind.OPENAI && endpoint.kind() != EndpointKind.AZURE_OPENAI)) {
            throw new PgException(PgError.error("0A000", "pgml.tune for " + task + " needs a remote fine-tuning provider, and model_name "
                    + (modelName == null ? "is not given" : "\"" + modelName + "\" names none"),
                    "Generative models cannot be trained inside the sidecar. Register an OpenAI-compatible endpoint, e.g. "
                            + "INSERT INTO pgml.remote_models (name, provider, url, model, key_setting) VALUES ('ft', 'openai', "
                            + "'https://api.openai.com/v1', 'gpt-4o-mini-2024-07-18', 'remote.openai.api_key'), or use model_name => "
                            + "'openai:<base model>' with azure_ai.set_setting('remote.openai.api_key', …); then tune with model_name => 'ft'."));
        }
        return endpoint;
    }

    Result tune(SessionContext session, Endpoint endpoint, String projectName, List<ClassifierTuning.Example> train,
                List<ClassifierTuning.Example> test, JsonNode trainingArgs, JsonNode remoteArgs, Consumer<Map<String, Object>> logs) {
        String system = remoteArgs.path("system_prompt").asText(null);
        Duration poll = Duration.ofMillis(remoteArgs.path("poll_interval_ms").asLong(10_000));
        Duration deadline = Duration.ofMinutes(remoteArgs.path("deadline_minutes").asLong(24 * 60));
        OpenAiFineTuning api = remote.fineTuning();
        try {
            String trainingFile = api.upload(endpoint, projectName.replaceAll("[^A-Za-z0-9._-]", "_") + "-train.jsonl", jsonl(system, train),
                    CallOptions.DEFAULTS);
            api.awaitFile(endpoint, trainingFile, poll, deadline, session::cancelRequested);
            String validationFile = null;
            if (!test.isEmpty()) {
                validationFile = api.upload(endpoint, projectName.replaceAll("[^A-Za-z0-9._-]", "_") + "-validation.jsonl",
                        jsonl(system, test), CallOptions.DEFAULTS);
                api.awaitFile(endpoint, validationFile, poll, deadline, session::cancelRequested);
            }
            OpenAiFineTuning.Job job = api.createJob(endpoint, null, trainingFile, validationFile, hyperparameters(trainingArgs),
                    suffix(projectName), trainingArgs.has("seed") ? trainingArgs.get("seed").asLong() : null);
            TuneActions.notice(session, "fine-tuning job " + job.id() + " created at " + endpoint.name());
            Map<String, Object> last = new LinkedHashMap<>();
            OpenAiFineTuning.Job done = api.await(endpoint, job.id(), poll, deadline, event -> {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("message", event.message());
                entry.put("created_at", event.createdAt());
                if (event.data() != null && event.data().isObject()) {
                    event.data().fields().forEachRemaining(f -> entry.put(f.getKey(), f.getValue().isNumber()
                            ? f.getValue().numberValue() : f.getValue().asText()));
                }
                event.metric("train_loss").ifPresent(v -> last.put("train_loss", v));
                event.metric("valid_loss").ifPresent(v -> last.put("valid_loss", v));
                logs.accept(entry);
            }, session::cancelRequested);
            Map<String, Object> metrics = new LinkedHashMap<>(last);
            if (done.trainedTokens() != null) {
                metrics.put("trained_tokens", done.trainedTokens());
            }
            return new Result(endpoint.name(), done.id(), done.fineTunedModel(), metrics);
        } catch (RemoteCallException e) {
            if (session.cancelRequested()) {
                throw new PgException("57014", "canceling statement due to user request", null);
            }
            throw RemoteFailures.error(e);
        }
    }

    private static byte[] jsonl(String system, List<ClassifierTuning.Example> rows) {
        TrainingJsonl out = new TrainingJsonl(system);
        for (ClassifierTuning.Example e : rows) {
            List<String> t = e.texts();
            if (t.size() == 2) { // conversation: system, user → assistant
                com.fasterxml.jackson.databind.node.ArrayNode messages = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
                messages.addObject().put("role", "system").put("content", t.get(0));
                messages.addObject().put("role", "user").put("content", t.get(1));
                messages.addObject().put("role", "assistant").put("content", e.label());
                out.addMessages(messages);
            } else {
                out.add(t.get(0), e.label());
            }
        }
        return out.toBytes();
    }

    /** Hugging Face TrainingArguments in the fine-tuning API's terms. */
    private static Map<String, Object> hyperparameters(JsonNode trainingArgs) {
        Map<String, Object> h = new LinkedHashMap<>();
        if (trainingArgs.has("num_train_epochs")) {
            h.put("n_epochs", trainingArgs.get("num_train_epochs").asInt());
        }
        if (trainingArgs.has("per_device_train_batch_size")) {
            h.put("batch_size", trainingArgs.get("per_device_train_batch_size").asInt());
        }
        if (trainingArgs.has("learning_rate_multiplier")) {
            h.put("learning_rate_multiplier", trainingArgs.get("learning_rate_multiplier").asDouble());
        }
        return h;
    }

    private static String suffix(String projectName) {
        String s = projectName.toLowerCase().replaceAll("[^a-z0-9-]", "-");
        return s.length() > 18 ? s.substring(0, 18) : s; // OpenAI caps suffixes at 18 characters
    }
}
