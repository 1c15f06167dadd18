package io.pgmlsidecar.ml.tabular.algorithms;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Reads a booster saved as XGBoost JSON ({@code Booster.toByteArray("json")}, XGBoost 3.x) into
 * {@link XgboostTrees}. Only what the Java evaluator reproduces exactly is accepted: {@code gbtree} with
 * numeric splits, one target, scalar leaves, an objective of {@link XgboostObjective}; anything else,
 * or anything unexpected in the JSON, is {@link Unsupported} and the caller keeps XGBoost4J.
 */
final class XgboostJsonReader {
    /** Numbers as exact decimals: a threshold parsed through double could round to a neighbouring float. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    /** The model is valid XGBoost but not one the Java evaluator handles; the message says why. */
    static final class Unsupported extends Exception {
        Unsupported(String reason) {
            super(reason);
        }
    }

    private XgboostJsonReader() {
    }

    static XgboostTrees read(byte[] json) throws Unsupported {
        JsonNode learner;
        try {
            learner = JSON.readTree(json).path("learner");
        } catch (IOException e) {
            throw new Unsupported("unreadable JSON: " + e.getMessage());
        }
        JsonNode booster = learner.path("gradient_booster");
        String boosterName = booster.path("name").asText();
        require("gbtree".equals(boosterName), "booster " + boosterName);
        String objectiveName = learner.path("objective").path("name").asText();
        XgboostObjective objective = XgboostObjective.named(objectiveName);
        require(objective != null, "objective " + objectiveName);

        JsonNode params = learner.path("learner_model_param");
        int numTargets = integer(params, "num_target");
        require(numTargets == 1, "num_target " + numTargets);
        int numClasses = integer(params, "num_class");
        boolean multiClass = objective == XgboostObjective.SOFTPROB || objective == XgboostObjective.SOFTMAX;
        require(multiClass ? numClasses >= 1 : numClasses == 0, "num_class " + numClasses + " with " + objectiveName);
        int groups = Math.max(1, numClasses);
        int numFeatures = integer(params, "num_feature");
        require(numFeatures > 0 && numFeatures <= XgboostTrees.MAX_FEATURES, "num_feature " + numFeatures);
        float[] baseMargins = baseMargins(params.path("base_score"), groups, objective);

        JsonNode model = booster.path("model");
        JsonNode treesJson = model.path("trees");
        require(treesJson.isArray(), "no trees array");
        int[] treeGroup = ints(model, "tree_info", treesJson.size());
        JsonNode declared = model.path("gbtree_model_param").path("num_trees");
        require(declared.isMissingNode() || integer(model.path("gbtree_model_param"), "num_trees") == treesJson.size(),
                "num_trees disagrees with the trees");
        XgboostTree[] trees = new XgboostTree[treesJson.size()];
        for (int t = 0; t < trees.length; t++) {
            require(treeGroup[t] >= 0 && treeGroup[t] < groups, "tree_info " + treeGroup[t]);
            trees[t] = tree(treesJson.get(t), numFeatures);
        }
        return new XgboostTrees(trees, treeGroup, baseMargins, numFeatures, objective);
    }

    /** base_score: "0.5", "5E-1", "[5E-1]" (XGBoost 3.x) or one value per output group. */
    private static float[] baseMargins(JsonNode node, int groups, XgboostObjective objective) throws Unsupported {
        String text = node.asText().trim();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        String[] parts = text.split(",");
        require(parts.length == 1 || parts.length == groups, "base_score " + node);
        float[] margins = new float[groups];
        for (int g = 0; g < groups; g++) {
            float margin = objective.baseMargin(number(parts[parts.length == 1 ? 0 : g], "base_score"));
            require(Float.isFinite(margin), "base_score " + node + " gives the margin " + margin);
            margins[g] = margin;
        }
        return margins;
    }

    private static XgboostTree tree(JsonNode tree, int numFeatures) throws Unsupported {
        JsonNode treeParam = tree.path("tree_param");
        int n = integer(treeParam, "num_nodes");
        require(n >= 1, "a tree of " + n + " nodes");
        require(treeParam.path("size_leaf_vector").isMissingNode() || integer(treeParam, "size_leaf_vector") <= 1,
                "vector-leaf (multi-target) trees");
        if (!tree.path("split_type").isMissingNode()) {
            for (int type : ints(tree, "split_type", n)) {
                require(type == 0, "categorical splits");
            }
        }
        int[] left = ints(tree, "left_children", n);
        int[] right = ints(tree, "right_children", n);
        int[] feature = ints(tree, "split_indices", n);
        float[] value = floats(tree, "split_conditions", n);
        boolean[] defaultLeft = booleans(tree, "default_left", n);
        for (int node = 0; node < n; node++) {
            require((left[node] == -1) == (right[node] == -1), "node " + node + " has one child");
            if (left[node] != -1) {
                require(left[node] > 0 && left[node] < n && right[node] > 0 && right[node] < n, "node " + node + " has a child out of range");
                require(feature[node] >= 0 && feature[node] < numFeatures, "node " + node + " splits feature " + feature[node]);
                require(!Float.isNaN(value[node]), "node " + node + " splits at NaN");
            }
        }
        requireTree(left, right);
        return new XgboostTree(left, right, defaultLeft, feature, value);
    }

    /** Every node reached from the root at most once: no cycles, no shared subtrees, so traversal ends. */
    private static void requireTree(int[] left, int[] right) throws Unsupported {
        boolean[] seen = new boolean[left.length];
        Deque<Integer> pending = new ArrayDeque<>();
        pending.push(0);
        while (!pending.isEmpty()) {
            int node = pending.pop();
            require(!seen[node], "node " + node + " is reached twice");
            seen[node] = true;
            if (left[node] != -1) {
                pending.push(left[node]);
                pending.push(right[node]);
            }
        }
    }

    private static int integer(JsonNode parent, String name) throws Unsupported {
        JsonNode node = parent.path(name);
        if (node.isTextual()) {  // XGBoost writes its parameters as strings
            try {
                return Integer.parseInt(node.asText().trim());
            } catch (NumberFormatException e) {
                throw new Unsupported(name + " " + node);
            }
        }
        require(node.canConvertToInt() && node.isIntegralNumber(), name + " " + node);
        return node.intValue();
    }

    private static float number(String text, String name) throws Unsupported {
        try {
            return Float.parseFloat(text.trim());
        } catch (NumberFormatException e) {
            throw new Unsupported(name + " " + text);
        }
    }

    private static JsonNode array(JsonNode parent, String name, int length) throws Unsupported {
        JsonNode a = parent.path(name);
        require(a.isArray() && a.size() == length, name + " is not an array of " + length);
        return a;
    }

    private static int[] ints(JsonNode parent, String name, int length) throws Unsupported {
        JsonNode a = array(parent, name, length);
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            require(a.get(i).isIntegralNumber() && a.get(i).canConvertToInt(), name + " holds " + a.get(i));
            out[i] = a.get(i).intValue();
        }
        return out;
    }

    private static float[] floats(JsonNode parent, String name, int length) throws Unsupported {
        JsonNode a = array(parent, name, length);
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            require(a.get(i).isNumber(), name + " holds " + a.get(i));
            out[i] = number(a.get(i).asText(), name);  // the decimal text rounds straight to float
        }
        return out;
    }

    /** default_left is written as 0/1 (XGBoost 2–3) or true/false. */
    private static boolean[] booleans(JsonNode parent, String name, int length) throws Unsupported {
        JsonNode a = array(parent, name, length);
        boolean[] out = new boolean[length];
        for (int i = 0; i < length; i++) {
            JsonNode v = a.get(i);
            require(v.isBoolean() || v.isIntegralNumber() && (v.intValue() == 0 || v.intValue() == 1), name + " holds " + v);
            out[i] = v.asBoolean();
        }
        return out;
    }

    private static void require(boolean condition, String unsupported) throws Unsupported {
        if (!condition) {
            throw new Unsupported(unsupported);
        }
    }
}
