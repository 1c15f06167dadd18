package io.pgmlsidecar.planner.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.remote.CallOptions;
import io.pgmlsidecar.ml.remote.Endpoint;
import io.pgmlsidecar.ml.remote.EndpointKind;
import io.pgmlsidecar.ml.remote.RemoteCallException;
import io.pgmlsidecar.ml.remote.RemoteModels;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.planner.values.JsonbText;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pgml.transform for text-generation and conversational tasks on remote chat models (an
 * OpenAI-compatible {@code /v1/chat/completions}: OpenAI, Azure OpenAI, vLLM, TGI, Ollama), with
 * Hugging Face pipeline arguments mapped to the API's and PostgresML's output shapes:
 * text-generation {@code [[{"generated_text": …}, …], …]} (one list per input, one object per
 * sequence), conversational {@code ["reply", …]}. Local transformer pipelines are not served yet.
 */
public final class RemoteTransforms {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RemoteEmbeddings endpoints;
    private final RemoteModels remote;

    public RemoteTransforms(RemoteEmbeddings endpoints, RemoteModels remote) {
        this.endpoints = endpoints;
        this.remote = remote;
    }

    /** transform(task, args, inputs, cache) → jsonb text; NULL task or inputs give NULL. */
    public String transform(SessionContext session, List<String> a) {
        if (a.get(0) == null || a.get(2) == null) {
            return null;
        }
        JsonNode task = task(a.get(0));
        String taskName = task.path("task").asText("");
        String model = task.path("model").asText(null);
        checkWhitelist(session, model);
        Endpoint endpoint = model == null ? null : endpoints.endpoint(session, model);
        if (endpoint == null || (endpoint.kind() != EndpointKind.OPENAI && endpoint.kind() != EndpointKind.AZURE_OPENAI)) {
            throw new PgException(new PgError("ERROR", "0A000", "pgml.transform is served by pgml-sidecar only for remote chat models yet",
                    "task " + task + " names " + (model == null ? "no model" : "model \"" + model + "\", which is not a remote chat model"),
                    "Name a remote model in the task, e.g. '{\"task\": \"text-generation\", \"model\": \"openai:gpt-4o-mini\"}' "
                            + "(pgml.remote_models or openai:<model>); local transformer pipelines are an open issue.", 0));
        }
        JsonNode args = args(a.get(1));
        List<String> inputs = TextArrays.parse(a.get(2));
        try {
            return switch (taskName) {
                case "text-generation" -> textGeneration(endpoint, args, inputs);
                case "conversational" -> conversational(endpoint, args, inputs);
                default -> throw new PgException(PgError.error("0A000", "task \"" + taskName + "\" is not served for remote models",
                        "Remote chat models serve text-generation and conversational."));
            };
        } catch (RemoteCallException e) {
            throw RemoteFailures.error(e);
        }
    }

    /** PostgresML's session setting pgml.huggingface_whitelist (CSV): when set, the model must be on it. */
    private static void checkWhitelist(SessionContext session, String model) {
        String list = BackendSteps.query(session.backend(), "SELECT current_setting('pgml.huggingface_whitelist', true)").get(0)[0];
        if (list == null || list.isBlank()) {
            return;
        }
        for (String allowed : list.split(",")) {
            if (allowed.trim().equals(model)) {
                return;
            }
        }
        throw new PgException(PgError.error("42501", "model \"" + model + "\" is not in pgml.huggingface_whitelist",
                "Add it: SET pgml.huggingface_whitelist = '" + list + "," + model + "'; or RESET pgml.huggingface_whitelist."));
    }

    private String textGeneration(Endpoint endpoint, JsonNode args, List<String> prompts) {
        boolean fullText = !args.has("return_full_text") || args.get("return_full_text").asBoolean(true);
        ArrayNode out = JSON.createArrayNode();
        for (String prompt : prompts) {
            ArrayNode messages = JSON.createArrayNode();
            messages.addObject().put("role", "user").put("content", prompt == null ? "" : prompt);
            ArrayNode sequences = out.addArray();
            for (String text : remote.openAi().chat(endpoint, messages, options(endpoint, args), CallOptions.of(timeout(args), 3, 1000))) {
                sequences.addObject().put("generated_text", fullText && prompt != null ? prompt + (text == null ? "" : text) : text);
            }
        }
        return JsonbText.of(out);
    }

    private String conversational(Endpoint endpoint, JsonNode args, List<String> messageTexts) {
        ArrayNode messages = JSON.createArrayNode();
        for (String m : messageTexts) {
            JsonNode message = parse(m, "each input of conversational must be a JSON message {\"role\": …, \"content\": …}");
            if (!message.has("role") || !message.has("content")) {
                throw new PgException(PgError.error("22023", "a conversational input is not a message: " + m,
                        "Pass jsonb messages such as '{\"role\": \"user\", \"content\": \"Hi\"}'."));
            }
            messages.add(message);
        }
        ArrayNode out = JSON.createArrayNode();
        for (String text : remote.openAi().chat(endpoint, messages, options(endpoint, args), CallOptions.of(timeout(args), 3, 1000))) {
            out.add(text);
        }
        return JsonbText.of(out);
    }

    /** Hugging Face generate() arguments in the chat API's terms; unknown ones are passed on as they are. */
    private static Map<String, Object> options(Endpoint endpoint, JsonNode args) {
        Map<String, Object> o = new LinkedHashMap<>();
        args.fields().forEachRemaining(e -> {
            String k = e.getKey();
            Object v = JSON.convertValue(e.getValue(), Object.class);
            switch (k) {
                case "max_new_tokens", "max_length", "max_tokens" -> o.put("max_tokens", v);
                case "num_return_sequences" -> o.put("n", v);
                case "do_sample" -> {
                    if (!e.getValue().asBoolean(true)) {
                        o.putIfAbsent("temperature", 0);
                    }
                }
                case "stop", "eos_token" -> o.put("stop", v);
                case "return_full_text", "timeout_ms", "chat_template" -> { }
                default -> o.put(k, v);
            }
        });
        return o;
    }

    private static Integer timeout(JsonNode args) {
        return args.has("timeout_ms") ? args.get("timeout_ms").asInt() : 120_000;
    }

    private static JsonNode task(String text) {
        String t = text.strip();
        if (t.startsWith("{")) {
            return parse(t, "task must be a task name or a JSON object such as {\"task\": \"text-generation\", \"model\": …}");
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("task", t);
        return o;
    }

    private static JsonNode args(String text) {
        JsonNode args = text == null ? JSON.createObjectNode() : parse(text, "args must be a JSON object");
        if (!args.isObject()) {
            throw new PgException(PgError.error("22023", "args must be a JSON object, got " + text, null));
        }
        return args;
    }

    private static JsonNode parse(String text, String hint) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new PgException(PgError.error("22P02", "invalid input syntax for type json: " + text, hint));
        }
    }
}
