package io.pgmlsidecar.planner.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pgmlsidecar.ml.remote.CallOptions;
import io.pgmlsidecar.ml.remote.Endpoint;
import io.pgmlsidecar.ml.remote.EndpointKind;
import io.pgmlsidecar.ml.remote.RemoteCallException;
import io.pgmlsidecar.ml.remote.RemoteModels;
import io.pgmlsidecar.planner.values.JsonbText;
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
 * sequence), conversational {@code ["reply", …]}. Local models are served by {@link io.pgmlsidecar.planner.transform.LocalTransforms}.
 */
public final class RemoteTransforms {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RemoteEmbeddings endpoints;
    private final RemoteModels remote;

    public RemoteTransforms(RemoteEmbeddings endpoints, RemoteModels remote) {
        this.endpoints = endpoints;
        this.remote = remote;
    }

    /** The remote chat endpoint {@code model} names, or null when it names none (a local model). */
    public Endpoint chatEndpoint(SessionContext session, String model) {
        if (model == null) {
            return null;
        }
        Endpoint endpoint = endpoints.endpoint(session, model);
        if (endpoint == null || (endpoint.kind() != EndpointKind.OPENAI && endpoint.kind() != EndpointKind.AZURE_OPENAI)) {
            return null;
        }
        return endpoint;
    }

    /** The call on a remote chat endpoint → jsonb text. */
    public String transform(Endpoint endpoint, String taskName, JsonNode args, List<String> inputs) {
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
            JsonNode message = io.pgmlsidecar.planner.transform.TransformArguments.parse(m, "each input of conversational must be a JSON message {\"role\": …, \"content\": …}");
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
    public static Map<String, Object> options(Endpoint endpoint, JsonNode args) {
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
}
