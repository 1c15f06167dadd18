package io.pgmlsidecar.ml.transformers.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a Hugging Face chat template ({@code tokenizer_config.json}'s {@code chat_template}) with
 * Jinjava as {@code tokenizer.apply_chat_template(messages, add_generation_prompt=True)} does: blocks
 * trimmed and left-stripped, {@code messages}, {@code bos_token}, {@code eos_token} and the
 * {@code raise_exception} helper.
 */
final class ChatTemplate {
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();
    private static final Jinjava JINJAVA = create();

    private ChatTemplate() {}

    private static Jinjava create() {
        Jinjava j = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        j.registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        return j;
    }

    /** The raise_exception helper of transformers' chat templates. */
    public static String raiseException(String message) {
        RAISED.set(message);
        throw new IllegalStateException(message);
    }

    /** The messages of one conversation, checked: objects with string role and content. */
    static List<Map<String, Object>> messages(List<JsonNode> inputs) {
        if (inputs.isEmpty()) throw new InvalidArgumentsException("conversational needs at least one message {\"role\", \"content\"}");
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode m : inputs) {
            if (!m.isObject() || !m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw new InvalidArgumentsException("conversational inputs must be messages {\"role\": \"user\", \"content\": \"…\"},"
                        + " got " + m);
            }
            Map<String, Object> msg = new LinkedHashMap<>();
            m.fields().forEachRemaining(e -> msg.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
            out.add(msg);
        }
        return out;
    }

    static String render(String template, List<Map<String, Object>> messages, String bosToken, String eosToken) {
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages);
        context.put("add_generation_prompt", true);
        context.put("bos_token", bosToken == null ? "" : bosToken);
        context.put("eos_token", eosToken == null ? "" : eosToken);
        RAISED.remove();
        RenderResult r;
        try {
            r = JINJAVA.renderForResult(template, context);
        } catch (RuntimeException e) {
            throw new InvalidArgumentsException("the chat template failed: " + raisedOr(e.getMessage()));
        }
        String raised = RAISED.get();
        RAISED.remove();
        if (raised != null) throw new InvalidArgumentsException("the chat template refused the conversation: " + raised);
        for (TemplateError e : r.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new InvalidArgumentsException("the chat template failed: " + e.getMessage());
            }
        }
        return r.getOutput();
    }

    private static String raisedOr(String message) {
        String raised = RAISED.get();
        RAISED.remove();
        return raised != null ? raised : message;
    }
}
