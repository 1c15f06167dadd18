package io.pgmlsidecar.ml.tabular.algorithms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON forms the reader accepts, and the models it leaves to XGBoost4J. */
class XgboostJsonReaderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int FEATURES = 4;
    private static byte[] json;
    private static float[] rows;

    @BeforeAll
    static void trainBinaryModel() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        int n = 300;
        rows = new float[n * FEATURES];
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < FEATURES; j++) {
                rows[i * FEATURES + j] = random.nextDouble() < 0.1 ? Float.NaN : (float) random.nextGaussian();
            }
            labels[i] = rows[i * FEATURES] + rows[i * FEATURES + 1] > 0 ? 1 : 0;
        }
        DMatrix data = new DMatrix(rows, n, FEATURES, Float.NaN);
        data.setLabel(labels);
        Booster booster = XGBoost.train(data, Map.of("objective", "binary:logistic", "max_depth", 3, "verbosity", 0, "nthread", 1),
                10, Map.of(), null, null);
        json = booster.toByteArray("json");
        data.dispose();
        booster.dispose();
    }

    @Test
    void baseScoreAsBracketedListOrNumberPredictsTheSame() throws Exception {
        float[][] expected = XgboostJsonReader.read(json).predict(rows, rows.length / FEATURES);
        String baseScore = MAPPER.readTree(json).at("/learner/learner_model_param/base_score").asText();
        for (String form : new String[]{"[" + baseScore + "]", baseScore + " "}) {
            float[][] actual = XgboostJsonReader.read(edited(m -> params(m).put("base_score", form))).predict(rows, rows.length / FEATURES);
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(expected[i], actual[i], 0f, form);
            }
        }
    }

    @Test
    void defaultLeftAsBooleans() throws Exception {
        byte[] booleans = edited(m -> {
            ArrayNode defaults = (ArrayNode) firstTree(m).get("default_left");
            for (int i = 0; i < defaults.size(); i++) {
                defaults.set(i, MAPPER.getNodeFactory().booleanNode(defaults.get(i).asInt() == 1));
            }
        });
        float[][] expected = XgboostJsonReader.read(json).predict(rows, rows.length / FEATURES);
        float[][] actual = XgboostJsonReader.read(booleans).predict(rows, rows.length / FEATURES);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 0f);
        }
    }

    @Test
    void unsupportedModelsAreRefusedWithTheReason() {
        assertRefused("booster dart", m -> ((ObjectNode) m.at("/learner/gradient_booster")).put("name", "dart"));
        assertRefused("objective rank:pairwise", m -> ((ObjectNode) m.at("/learner/objective")).put("name", "rank:pairwise"));
        assertRefused("num_target 2", m -> params(m).put("num_target", "2"));
        assertRefused("categorical splits", m -> ((ArrayNode) firstTree(m).get("split_type")).set(0, 1));
        assertRefused("vector-leaf", m -> ((ObjectNode) firstTree(m).get("tree_param")).put("size_leaf_vector", "3"));
        assertRefused("base_score", m -> params(m).put("base_score", "[0.5,0.5]"));
        assertRefused("split_conditions is not an array", m -> ((ArrayNode) firstTree(m).get("split_conditions")).remove(0));
        assertRefused("splits feature", m -> ((ArrayNode) firstTree(m).get("split_indices")).set(0, FEATURES));
        assertRefused("reached twice", m -> {
            ArrayNode left = (ArrayNode) firstTree(m).get("left_children");
            left.set(left.get(0).asInt(), left.get(0).asInt());  // the root's left child points to itself
        });
        assertRefused("tree_info", m -> ((ArrayNode) m.at("/learner/gradient_booster/model/tree_info")).set(0, 1));
        assertThrows(XgboostJsonReader.Unsupported.class, () -> XgboostJsonReader.read("not json".getBytes()));
    }

    private static void assertRefused(String reason, Consumer<ObjectNode> edit) {
        XgboostJsonReader.Unsupported e = assertThrows(XgboostJsonReader.Unsupported.class, () -> XgboostJsonReader.read(edited(edit)));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private static byte[] edited(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode model = (ObjectNode) MAPPER.readTree(json);
        edit.accept(model);
        return MAPPER.writeValueAsBytes(model);
    }

    private static ObjectNode params(ObjectNode model) {
        return (ObjectNode) model.at("/learner/learner_model_param");
    }

    private static ObjectNode firstTree(ObjectNode model) {
        return (ObjectNode) model.at("/learner/gradient_booster/model/trees/0");
    }
}
