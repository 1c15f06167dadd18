package io.pgmlsidecar.ml.tabular;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models stored by earlier builds keep working: every committed fixture (each format ever written,
 * one file per estimator) loads and answers exactly what the build that wrote it answered.
 */
class StoredModelFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path fixturesRoot() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(StoredModelFixturesTest.class.getResource("/model-fixtures")).toURI());
    }

    static Stream<Path> fixtures() throws IOException, URISyntaxException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(fixturesRoot())) {
            files.filter(p -> p.toString().endsWith(".model")).sorted().forEach(out::add);
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void loadsAndPredictsAsWhenStored(Path model) throws IOException {
        Path expectedFile = model.resolveSibling(model.getFileName().toString().replace(".model", ".expected.json"));
        JsonNode expected = JSON.readTree(expectedFile.toFile());
        TabularModel m = TabularModel.fromBytes(Files.readAllBytes(model));
        Object[][] rows = rows(expected.get("inputs"));
        JsonNode actual = JSON.valueToTree(StoredModelFixtures.answers(m, rows));
        String where = model.getParent().getFileName() + "/" + model.getFileName();
        for (String field : List.of("task", "algorithm", "classes", "features", "labels")) {
            assertEquals(expected.get(field), actual.get(field), where + ": " + field);
        }
        for (String field : List.of("predict", "predict_proba", "transform", "predict_joint")) {
            assertEquals(expected.has(field), actual.has(field), where + ": " + field + " present");
            if (expected.has(field)) {
                assertNumbersEqual(expected.get(field), actual.get(field), where + ": " + field);
            }
        }
    }

    /** Exactly the same doubles: a stored model must not drift across builds. */
    private static void assertNumbersEqual(JsonNode expected, JsonNode actual, String where) {
        if (expected.isArray()) {
            assertEquals(expected.size(), actual.size(), where);
            for (int i = 0; i < expected.size(); i++) {
                assertNumbersEqual(expected.get(i), actual.get(i), where + "[" + i + "]");
            }
        } else {
            assertEquals(expected.asDouble(), actual.asDouble(), 0.0, where);
        }
    }

    @Test
    void theCurrentFormatHasItsFixturesCommitted() throws URISyntaxException {
        Path current = fixturesRoot().resolve("format" + TabularModel.FORMAT_VERSION);
        assertTrue(Files.isDirectory(current), "no fixtures for format " + TabularModel.FORMAT_VERSION
                + ": run bin/write-model-fixtures " + TabularModel.FORMAT_VERSION + " and commit them");
    }

    @Test
    void everyEstimatorHasAFixtureOfTheCurrentFormat() throws URISyntaxException {
        Path current = fixturesRoot().resolve("format" + TabularModel.FORMAT_VERSION);
        for (StoredModelFixtures.Spec spec : StoredModelFixtures.specs()) {
            assertTrue(Files.exists(current.resolve(spec.name() + ".model")), "no fixture " + spec.name() + " in " + current
                    + ": a new estimator needs one (bin/write-model-fixtures writes a whole new set only; add this file by hand)");
        }
    }

    /** The inputs as predict receives them: numbers as Double, text as String, arrays as double[], NULL as null. */
    static Object[][] rows(JsonNode inputs) {
        Object[][] out = new Object[inputs.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonNode row = inputs.get(i);
            Object[] values = new Object[row.size()];
            for (int j = 0; j < values.length; j++) {
                JsonNode v = row.get(j);
                if (v.isNull()) {
                    values[j] = null;
                } else if (v.isTextual()) {
                    values[j] = v.asText();
                } else if (v.isArray()) {
                    double[] a = new double[v.size()];
                    for (int k = 0; k < a.length; k++) {
                        a[k] = v.get(k).asDouble();
                    }
                    values[j] = a;
                } else {
                    values[j] = v.asDouble();
                }
            }
            out[i] = values;
        }
        return out;
    }
}
