package io.pgmlsidecar.ml.transformers.generation;

import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.LM;
import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.T5;
import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.testmodels.decoders.TinyCausalLm;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conversational: the chat template renders the messages, the decoder replies, the reply is decoded alone. */
class ConversationalTest {
    @TempDir
    static Path tmp;
    static TinyGenerationModels models;

    @BeforeAll
    static void setUp() {
        models = new TinyGenerationModels(tmp);
    }

    @AfterAll
    static void tearDown() {
        models.close();
    }

    static List<JsonNode> messages(String... roleContent) {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (int i = 0; i < roleContent.length; i += 2) {
            out.add(TinyGenerationModels.JSON.valueToTree(Map.of("role", roleContent[i], "content", roleContent[i + 1])));
        }
        return out;
    }

    JsonNode chat(String model, String args, List<JsonNode> messages) {
        return models.service.transform(TinyGenerationModels.request("conversational", model, args, messages));
    }

    @Test
    void templateIsRenderedAsTransformersDoes() {
        String rendered = ChatTemplate.render(TinyCausalLm.CHAT_TEMPLATE,
                ChatTemplate.messages(messages("system", "be brief", "user", "hi", "assistant", "hi there", "user", "la")),
                "<s>", "</s>");
        assertEquals("<s> system: be brief user: hi assistant: hi there</s> user: la assistant:", rendered);
    }

    @Test
    void repliesWithTheNewTokensOnly() {
        // the prompt ends "assistant:", after which the model says "hel" "lo" "world"
        assertEquals(json("[\"hello world\"]"), chat(LM, null, messages("user", "hi")));
        assertEquals(json("[\"hello world\"]"), chat(LM, null, messages("user", "la", "assistant", "di", "user", "go")));
        // the tiny model ends every sequence from position 16: a long conversation leaves no room for a reply
        assertEquals(json("[\"\"]"), chat(LM, null, messages("system", "be brief", "user", "la", "assistant", "la di", "user", "go")));
    }

    @Test
    void aTemplateInTheArgumentsWins() {
        // this template ends with the last message's content: "hi" → "there"
        String template = "{% for m in messages %} {{ m['content'] }}{% endfor %}";
        assertEquals(json("[\"there\"]"), chat(LM, "{\"chat_template\": \"" + template + "\"}", messages("user", "hi")));
    }

    @Test
    void streamSendsSubwordsAsTheyComplete() {
        List<List<String>> steps = new java.util.ArrayList<>();
        models.service.stream(TinyGenerationModels.request("conversational", LM, null, messages("user", "hi")), steps::add);
        assertEquals(List.of(List.of("hel"), List.of("lo"), List.of(" world")), steps);
    }

    @Test
    void errorsAreClear() {
        InvalidArgumentsException e = assertThrows(InvalidArgumentsException.class, () -> chat(LM, null, messages("robot", "hi")));
        assertTrue(e.getMessage().contains("roles must be"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> chat(T5, null, messages("user", "hi")));
        assertTrue(e.getMessage().contains("chat_template"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> chat(LM, null, List.of(json("{\"role\": \"user\"}"))));
        assertTrue(e.getMessage().contains("role"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> chat(LM, "{\"return_full_text\": true}", messages("user", "hi")));
        assertTrue(e.getMessage().contains("'return_full_text'"), e.getMessage());
    }
}
