package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.transformers.TransformRequest;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.ml.transformers.TransformTask;
import io.pgmlsidecar.planner.tabular.Predictions;
import io.pgmlsidecar.planner.values.CompositeText;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pgml.predict / predict_proba on a project tuned with pgml.tune: the model's files are copied out
 * of pgml.files once per sidecar, then served by the text-classification pipeline. predict gives
 * the class (its value when the class names are numbers, else its index); predict_proba the
 * probability of each class in the model's label order.
 */
public final class TunedPredictions implements Predictions.TunedModels {
    private final TransformService transforms;

    public TunedPredictions(TransformService transforms) {
        this.transforms = transforms;
    }

    @Override
    public Object[] predict(SessionContext session, long modelId, List<String> inputs, Predictions.Kind kind) {
        if (transforms == null) {
            throw new PgException("58000", "no model runtime is configured in this sidecar", "Start the sidecar with its ml-runtime.");
        }
        if (kind != Predictions.Kind.PREDICT && kind != Predictions.Kind.PROBA) {
            throw new PgException("22023", "a tuned text classifier serves predict and predict_proba only", null);
        }
        String database = session.startupParameters().getOrDefault("database", session.startupParameters().get("user"));
        Path dir = TunedModelFiles.materialize(session.backend(), transforms.config().workDir().resolve("tuned"), database, modelId);
        List<JsonNode> texts = new ArrayList<>(inputs.size());
        for (String in : inputs) {
            texts.add(text(in));
        }
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.putNull("top_k"); // every class's score
        JsonNode result;
        try {
            result = transforms.transform(new TransformRequest(new TransformTask.Parsed(TransformTask.TEXT_CLASSIFICATION, null, null),
                    "pgml-tuned/model-" + modelId, args, texts, dir));
        } catch (MlException e) {
            throw TuneErrors.of(e);
        }
        List<String> labels = TunedLabels.read(dir);
        Object[] out = new Object[inputs.size()];
        for (int i = 0; i < out.length; i++) {
            float[] p = new float[labels.size()];
            for (JsonNode scored : result.get(i)) {
                int k = labels.indexOf(scored.path("label").asText());
                if (k >= 0) {
                    p[k] = (float) scored.path("score").asDouble();
                }
            }
            out[i] = kind == Predictions.Kind.PROBA ? p : (Object) classValue(labels, argmax(p));
        }
        return out;
    }

    /** A text, or a row value {@code (text1, text2)} for text pairs. */
    private static JsonNode text(String input) {
        if (CompositeText.looksLikeRow(input)) {
            List<String> fields = CompositeText.parse(input);
            if (fields.size() == 2) {
                ObjectNode pair = JsonNodeFactory.instance.objectNode();
                pair.put("text", fields.get(0));
                pair.put("text_pair", fields.get(1));
                return pair;
            }
        }
        return TextNode.valueOf(input);
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }

    private static Float classValue(List<String> labels, int index) {
        try {
            return Float.parseFloat(labels.get(index));
        } catch (NumberFormatException e) {
            return (float) index;
        }
    }
}
