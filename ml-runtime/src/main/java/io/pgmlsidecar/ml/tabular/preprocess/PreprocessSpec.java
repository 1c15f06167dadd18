package io.pgmlsidecar.ml.tabular.preprocess;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.tabular.TabularException;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code preprocess} argument of pgml.train: column name → {@link ColumnSpec}. */
public record PreprocessSpec(Map<String, ColumnSpec> columns) implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final PreprocessSpec NONE = new PreprocessSpec(Map.of());

    public ColumnSpec forColumn(String name) {
        return columns.getOrDefault(name, ColumnSpec.DEFAULT);
    }

    public static PreprocessSpec parse(String json) {
        if (json == null || json.isBlank()) {
            return NONE;
        }
        try {
            return of(JSON.readValue(json, new TypeReference<Map<String, Object>>() { }));
        } catch (TabularException e) {
            throw e;
        } catch (Exception e) {
            throw new TabularException("preprocess is not a JSON object: " + e.getMessage());
        }
    }

    public static PreprocessSpec of(Map<String, ?> map) {
        if (map == null || map.isEmpty()) {
            return NONE;
        }
        Map<String, ColumnSpec> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, ColumnSpec.parse(k, v)));
        return new PreprocessSpec(Map.copyOf(out));
    }
}
