package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;

/**
 * Training data for {@link OpenAiFineTuning}: UTF-8 JSONL, one example per line, each ending in {@code \n}.
 * <p>
 * Every task (translation, summarization, text-generation, text2text, conversation) is written in the <b>chat
 * form</b>, the one today's chat models are tuned on:
 * <pre>{"messages":[{"role":"system","content":SYSTEM},{"role":"user","content":TEXT},{"role":"assistant","content":TARGET}]}</pre>
 * the example's text as the user's message, its target as the assistant's answer, and the optional system prompt
 * (e.g. "Translate English to French.") first; a conversation task gives its own messages ({@link #addMessages}).
 * The legacy {@code {"prompt":…,"completion":…}} form (completion models such as {@code babbage-002}) is written by
 * {@link #promptCompletion}.
 */
public final class TrainingJsonl {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    private final String systemPrompt;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int examples;

    /** @param systemPrompt the system message of every example; null or blank for none */
    public TrainingJsonl(String systemPrompt) {
        this.systemPrompt = systemPrompt == null || systemPrompt.isBlank() ? null : systemPrompt;
    }

    /** Adds one example: {@code text} from the user, {@code target} the assistant's answer. */
    public TrainingJsonl add(String text, String target) {
        if (text == null || target == null) {
            throw RemoteCallException.configuration("training example " + (examples + 1) + " has no "
                    + (text == null ? "text" : "target"), "leave out rows whose text or target is NULL");
        }
        ObjectNode line = JsonHttp.JSON.createObjectNode();
        ArrayNode messages = line.putArray("messages");
        if (systemPrompt != null) message(messages, "system", systemPrompt);
        message(messages, "user", text);
        message(messages, "assistant", target);
        return write(line);
    }

    /**
     * Adds a conversation as given: a JSON array of {@code {"role", "content"}} objects (roles system, user,
     * assistant, tool) that ends with the assistant's answer. The system prompt goes first unless the
     * conversation has a system message of its own.
     */
    public TrainingJsonl addMessages(JsonNode conversation) {
        String where = "training conversation " + (examples + 1);
        if (conversation == null || !conversation.isArray() || conversation.isEmpty()) {
            throw RemoteCallException.configuration(where + " is not a non-empty JSON array of messages",
                    "e.g. [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]");
        }
        boolean ownSystem = false;
        for (JsonNode m : conversation) {
            String role = m.path("role").asText(null);
            if (!m.isObject() || role == null || !ROLES.contains(role)) {
                throw RemoteCallException.configuration(where + " has a message without a valid role",
                        "roles are system, user, assistant and tool");
            }
            ownSystem |= role.equals("system");
        }
        if (!"assistant".equals(conversation.get(conversation.size() - 1).path("role").asText())) {
            throw RemoteCallException.configuration(where + " does not end with the assistant's answer",
                    "the last message is what the model learns to say");
        }
        ObjectNode line = JsonHttp.JSON.createObjectNode();
        ArrayNode messages = line.putArray("messages");
        if (systemPrompt != null && !ownSystem) message(messages, "system", systemPrompt);
        conversation.forEach(m -> messages.add(m.deepCopy()));
        return write(line);
    }

    /** How many examples were added. */
    public int size() {
        return examples;
    }

    /** The JSONL so far. */
    public byte[] toBytes() {
        return out.toByteArray();
    }

    /** Chat-form JSONL of {@code texts[i]} → {@code targets[i]} (see the class comment). */
    public static byte[] chat(String systemPrompt, List<String> texts, List<String> targets) {
        if (texts.size() != targets.size()) {
            throw new IllegalArgumentException(texts.size() + " texts for " + targets.size() + " targets");
        }
        TrainingJsonl jsonl = new TrainingJsonl(systemPrompt);
        for (int i = 0; i < texts.size(); i++) jsonl.add(texts.get(i), targets.get(i));
        return jsonl.toBytes();
    }

    /** The legacy form, {@code {"prompt":P,"completion":C}} per line, for completion (non-chat) models. */
    public static byte[] promptCompletion(List<String> prompts, List<String> completions) {
        if (prompts.size() != completions.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + completions.size() + " completions");
        }
        TrainingJsonl jsonl = new TrainingJsonl(null);
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i) == null || completions.get(i) == null) {
                throw RemoteCallException.configuration("training example " + (i + 1) + " has no "
                        + (prompts.get(i) == null ? "prompt" : "completion"), "leave out rows with NULLs");
            }
            jsonl.write(JsonHttp.JSON.createObjectNode().put("prompt", prompts.get(i)).put("completion", completions.get(i)));
        }
        return jsonl.toBytes();
    }

    private static void message(ArrayNode messages, String role, String content) {
        messages.addObject().put("role", role).put("content", content);
    }

    private TrainingJsonl write(ObjectNode line) {
        try {
            out.writeBytes(JsonHttp.JSON.writeValueAsBytes(line)); // compact: strings' newlines are escaped
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.write('\n');
        examples++;
        return this;
    }
}
