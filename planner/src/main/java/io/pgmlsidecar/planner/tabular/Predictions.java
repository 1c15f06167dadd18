package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.ml.tabular.TabularModel;
import io.pgmlsidecar.planner.values.NumericArrays;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;

/** pgml.predict and pgml.predict_proba by project name (its deployed model) or model id. */
public final class Predictions {

    private final ModelStore models;

    public Predictions(ModelStore models) {
        this.models = models;
    }

    /**
     * Many rows of {target, features}: one model look-up per target and one batched prediction.
     * Returns Float (predict) or float[] (predict_proba) per row; NULL arguments give NULL.
     */
    public Object[] batch(SessionContext session, java.util.List<String[]> rows, boolean proba) {
        Object[] out = new Object[rows.size()];
        java.util.Map<String, java.util.List<Integer>> byTarget = new java.util.LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            if (r[0] != null && r[1] != null) {
                byTarget.computeIfAbsent(r[0], k -> new java.util.ArrayList<>()).add(i);
            }
        }
        for (var e : byTarget.entrySet()) {
            TabularModel model = model(session, e.getKey());
            if (proba && !model.supportsProba()) {
                throw new PgException("22023", "You can't predict probabilities for a " + model.task().pgName() + " model",
                        "predict_proba needs a classification project.");
            }
            double[][] x = new double[e.getValue().size()][];
            for (int k = 0; k < x.length; k++) {
                x[k] = NumericArrays.parse(rows.get(e.getValue().get(k))[1]);
                checkWidth(model, x[k]);
            }
            if (proba) {
                double[][] p = TabularActions.guard(() -> model.predictProba(x));
                for (int k = 0; k < x.length; k++) {
                    float[] f = new float[p[k].length];
                    for (int j = 0; j < f.length; j++) {
                        f[j] = (float) p[k][j];
                    }
                    out[e.getValue().get(k)] = f;
                }
            } else {
                double[] y = TabularActions.guard(() -> model.predict(x));
                for (int k = 0; k < x.length; k++) {
                    out[e.getValue().get(k)] = (float) y[k];
                }
            }
        }
        return out;
    }

    private TabularModel model(SessionContext session, String target) {
        TabularCatalog catalog = new TabularCatalog(session.backend());
        TabularCatalog.DeployedModel deployed = target.matches("\\d+") ? catalog.model(Long.parseLong(target)) : catalog.deployed(target);
        if (deployed == null) {
            throw new PgException("42704", target.matches("\\d+") ? "model " + target + " does not exist"
                    : "no deployed model for project \"" + target + "\"", "Train the project with pgml.train, or deploy a model with pgml.deploy.");
        }
        return models.get(session, deployed.modelId());
    }

    private static void checkWidth(TabularModel model, double[] x) {
        if (model.numFeatures() > 0 && x.length != model.numEncodedFeatures() && x.length != model.numFeatures()) {
            throw new PgException("22023", "the model takes " + model.numFeatures() + " features, the array has " + x.length,
                    "Pass the features in the order of the training relation's columns.");
        }
    }
}
