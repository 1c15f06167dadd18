package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The class labels of a tuned model in index order, from its config.json's id2label. */
final class TunedLabels {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TunedLabels() {}

    static List<String> read(Path dir) {
        try {
            JsonNode id2label = JSON.readTree(dir.resolve("config.json").toFile()).path("id2label");
            List<String> labels = new ArrayList<>();
            for (int i = 0; id2label.has(Integer.toString(i)); i++) {
                labels.add(id2label.get(Integer.toString(i)).asText());
            }
            return labels;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
