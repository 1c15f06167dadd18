package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.ml.tabular.TabularModel;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.planner.values.CompositeText;
import io.pgmlsidecar.planner.values.NumericArrays;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The predict family by project name (its deployed model) or model id: predict, predict_proba,
 * predict_joint and decompose, on a feature array or a row value ({@code ROW(…)} or a table's
 * row), many rows at once.
 */
public final class Predictions {

    /** What is computed per input row. */
    public enum Kind {
        PREDICT, PROBA, JOINT, DECOMPOSE
    }

    /** Predictions of models tuned with pgml.tune (algorithm 'transformers'), served by the transformer runtime. */
    public interface TunedModels {
        /** One result per input: Float for PREDICT, float[] for PROBA. */
        Object[] predict(SessionContext session, long modelId, List<String> inputs, Kind kind);
    }

    private final ModelStore models;
    private final DeploymentCache deployments;
    private final TunedModels tuned;

    public Predictions(ModelStore models, DeploymentCache deployments, TunedModels tuned) {
        this.models = models;
        this.deployments = deployments;
        this.tuned = tuned;
    }

    /**
     * Many rows of {target, features}: one model look-up per target and one batched call. Returns
     * Float (PREDICT) or float[] per row; NULL arguments give NULL.
     */
    public Object[] batch(SessionContext session, List<String[]> rows, Kind kind) {
        Object[] out = new Object[rows.size()];
        Map<String, List<Integer>> byTarget = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            if (r[0] != null && r[1] != null) {
                byTarget.computeIfAbsent(r[0], k -> new ArrayList<>()).add(i);
            }
        }
        for (var e : byTarget.entrySet()) {
            List<Integer> indexes = e.getValue();
            TabularCatalog.DeployedModel deployed = deployed(session, e.getKey());
            if ("transformers".equals(deployed.algorithm())) {
                Object[] results = tuned.predict(session, deployed.modelId(), indexes.stream().map(i -> rows.get(i)[1]).toList(), kind);
                for (int k = 0; k < indexes.size(); k++) {
                    out[indexes.get(k)] = results[k];
                }
                continue;
            }
            TabularModel model = models.get(session, deployed.modelId());
            check(model, kind);
            List<String> inputs = indexes.stream().map(i -> rows.get(i)[1]).toList();
            model.countCall();
            double[][] result = ServingMeters.call(deployed.projectName(), deployed.algorithm(), inputs.size(), () -> run(model, kind, inputs));
            for (int k = 0; k < indexes.size(); k++) {
                out[indexes.get(k)] = kind == Kind.PREDICT ? (Object) (float) result[k][0] : floats(result[k]);
            }
        }
        return out;
    }

    /**
     * predict_batch: {@code features} is the row-major concatenation of several feature vectors;
     * one prediction per vector.
     */
    public float[] predictConcatenated(SessionContext session, String target, String features) {
        if (target == null || features == null) {
            return null;
        }
        TabularModel model = model(session, target);
        check(model, Kind.PREDICT);
        double[] all = NumericArrays.parse(features);
        int width = model.numFeatures();
        if (width <= 0 || all.length % width != 0) {
            throw new PgException("22023", "the array has " + all.length + " values, not a whole number of rows of " + width + " features",
                    "Concatenate complete feature vectors, e.g. array_agg(feature) over rows ordered by feature position.");
        }
        double[][] x = new double[all.length / width][width];
        for (int r = 0; r < x.length; r++) {
            System.arraycopy(all, r * width, x[r], 0, width);
        }
        model.countCall();
        double[] y = ServingMeters.call(target, model.algorithm(), x.length, () -> TabularActions.guard(() -> model.predict(x)));
        return floats(y);
    }

    private static double[][] run(TabularModel model, Kind kind, List<String> inputs) {
        boolean rowValues = CompositeText.looksLikeRow(inputs.get(0));
        if (rowValues) {
            Object[][] rows = new Object[inputs.size()][];
            for (int k = 0; k < rows.length; k++) {
                rows[k] = rowValue(model, inputs.get(k));
            }
            return TabularActions.guard(() -> switch (kind) {
                case PREDICT -> column(model.predictRows(rows));
                case PROBA -> model.predictProbaRows(rows);
                case JOINT -> model.predictJointRows(rows);
                case DECOMPOSE -> model.transformRows(rows);
            });
        }
        double[][] x = new double[inputs.size()][];
        for (int k = 0; k < x.length; k++) {
            if (CompositeText.looksLikeRow(inputs.get(k))) {
                throw new PgException("22023", "mixed row values and feature arrays in one call", "Pass one kind of input.");
            }
            x[k] = NumericArrays.parse(inputs.get(k));
            checkWidth(model, x[k]);
        }
        return TabularActions.guard(() -> switch (kind) {
            case PREDICT -> column(model.predict(x));
            case PROBA -> model.predictProba(x);
            case JOINT -> model.predictJoint(x);
            case DECOMPOSE -> model.transform(x);
        });
    }

    /** A row value's fields as the model's feature columns take them (arrays parsed, the rest as text). */
    private static Object[] rowValue(TabularModel model, String text) {
        List<String> fields = CompositeText.parse(text);
        List<FeatureColumn> features = model.featureColumns();
        if (fields.size() != features.size()) {
            throw new PgException("22023", "the row has " + fields.size() + " fields, the model takes " + features.size()
                    + " features " + features.stream().map(FeatureColumn::name).toList(),
                    "Pass the training relation's columns without the label, in order, e.g. ROW(a, b, c).");
        }
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            String f = fields.get(i);
            values[i] = f != null && features.get(i).array() ? NumericArrays.parse(f) : f;
        }
        return values;
    }

    private static void check(TabularModel model, Kind kind) {
        if (kind == Kind.PROBA && !model.supportsProba()) {
            throw new PgException("22023", "You can't predict probabilities for a " + model.task().pgName() + " model",
                    "predict_proba needs a classification project.");
        }
    }

    private TabularModel model(SessionContext session, String target) {
        TabularCatalog.DeployedModel deployed = deployed(session, target);
        if ("transformers".equals(deployed.algorithm())) {
            throw new PgException("0A000", "project \"" + deployed.projectName() + "\" holds a tuned transformer model, which takes texts, not feature arrays",
                    "Call pgml.predict('" + deployed.projectName() + "', 'some text').");
        }
        return models.get(session, deployed.modelId());
    }

    private TabularCatalog.DeployedModel deployed(SessionContext session, String target) {
        TabularCatalog catalog = new TabularCatalog(session.backend());
        boolean byId = target.matches("\\d+");
        // "#id" cannot be a project's name in the cache: ids and names are told apart
        TabularCatalog.DeployedModel deployed = byId ? deployments.deployed(session, "#" + target, () -> catalog.model(Long.parseLong(target)))
                : deployments.deployed(session, target, () -> catalog.deployed(target));
        if (deployed == null) {
            throw new PgException("42704", byId ? "model " + target + " does not exist"
                    : "no deployed model for project \"" + target + "\"", "Train the project with pgml.train, or deploy a model with pgml.deploy.");
        }
        return deployed;
    }

    private static void checkWidth(TabularModel model, double[] x) {
        if (model.numFeatures() > 0 && x.length != model.numEncodedFeatures() && x.length != model.numFeatures()) {
            throw new PgException("22023", "the model takes " + model.numFeatures() + " features, the array has " + x.length,
                    "Pass the features in the order of the training relation's columns.");
        }
    }

    private static double[][] column(double[] v) {
        double[][] out = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            out[i] = new double[] {v[i]};
        }
        return out;
    }

    private static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }
}
