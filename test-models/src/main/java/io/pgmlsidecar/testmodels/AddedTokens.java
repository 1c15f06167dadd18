package io.pgmlsidecar.testmodels;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The start every tokenizer.json of the test models shares: format version and the special tokens, ids 0…n-1. */
public final class AddedTokens {
    private AddedTokens() {}

    /** A tokenizer.json root with {@code version}, no truncation or padding, and {@code special} as added tokens. */
    public static ObjectNode root(ObjectMapper json, List<String> special) {
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < special.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", special.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        return root;
    }
}
