package io.pgmlsidecar.ml.tabular;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pgmlsidecar.ml.tabular.algorithms.Algorithms;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;
import io.pgmlsidecar.ml.tabular.preprocess.PreprocessSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The stored-model fixtures: one small model per estimator (every supported algorithm per task, a joint
 * regression, and one model with text features and labels to cover the preprocessor), each saved as the
 * bytes this build stores in {@code pgml.files} next to its expected predictions. The fixtures of every
 * format ever written are committed under {@code src/test/resources/model-fixtures/<format>/} and
 * {@link StoredModelFixturesTest} loads them all with each later build.
 * <p>Write a new set (after a format change) with
 * {@code mvn -pl ml-runtime test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.pgmlsidecar.ml.tabular.StoredModelFixtures -Dexec.args=ml-runtime/src/test/resources/model-fixtures/formatN}
 * or simply run {@code bin/write-model-fixtures N}. Existing files are never rewritten: a new estimator gets its
 * fixture added to the current format's set.
 */
public final class StoredModelFixtures {
    /** Row indices of the inputs each fixture records predictions for. */
    static final int INPUT_ROWS = 8;

    private StoredModelFixtures() {
    }

    /** A fixture to write: a name (the file stem), the training data and the request. */
    record Spec(String name, Dataset data, TrainRequest request) {
    }

    static List<Spec> specs() {
        List<Spec> out = new ArrayList<>();
        Algorithms.supported().forEach((task, names) -> {
            for (String name : names) {
                Dataset d = switch (task) {
                    case REGRESSION -> Toy.get("diabetes", "target");
                    case CLASSIFICATION -> Toy.get("iris", "target");
                    default -> Toy.get("iris", null);
                };
                out.add(new Spec(task.pgName() + "-" + name, d, TrainRequest.builder(task).algorithm(name)
                        .hyperparams(small(task, name)).preprocess(standardize(d)).seed(42).build()));
            }
        });
        Dataset linnerud = PgmlDatasets.toDataset(PgmlDatasets.load("linnerud", null), List.of("weight", "waist", "pulse"));
        out.add(new Spec("regression-joint-linear", linnerud, TrainRequest.builder(Task.REGRESSION).algorithm("linear").seed(42).build()));
        out.add(new Spec("regression-joint-xgboost", linnerud, TrainRequest.builder(Task.REGRESSION).algorithm("xgboost")
                .hyperparams(Map.of("n_estimators", 5)).seed(42).build()));
        Dataset mixed = mixed();
        out.add(new Spec("classification-text-features-random_forest", mixed, TrainRequest.builder(Task.CLASSIFICATION)
                .algorithm("random_forest").hyperparams(Map.of("n_estimators", 5))
                .preprocess(PreprocessSpec.parse("{\"color\": {\"encode\": \"one_hot\"}, \"size\": {\"encode\": {\"ordinal\": "
                        + "[\"small\", \"medium\", \"large\"]}}, \"weight\": {\"impute\": \"mean\", \"scale\": \"standard\"}, "
                        + "\"bands\": {\"impute\": \"zero\", \"scale\": \"min_max\"}}"))
                .seed(42).build()));
        out.add(new Spec("classification-text-features-xgboost", mixed, TrainRequest.builder(Task.CLASSIFICATION)
                .algorithm("xgboost").hyperparams(Map.of("n_estimators", 5))
                .preprocess(PreprocessSpec.parse("{\"color\": {\"encode\": \"target\"}, \"size\": {\"encode\": \"native\"}, "
                        + "\"weight\": {\"impute\": \"median\", \"scale\": \"robust\"}, \"bands\": {\"scale\": \"max_abs\"}}"))
                .seed(42).build()));
        return out;
    }

    /** Text, ordinal text, numeric with NULLs and an array column; text labels. */
    static Dataset mixed() {
        var b = Dataset.builder(List.of(FeatureColumn.categorical("color"), FeatureColumn.categorical("size"),
                FeatureColumn.numeric("weight"), FeatureColumn.numericArray("bands")), "kind");
        SplittableRandom rnd = new SplittableRandom(11);
        String[] colors = {"red", "green", "blue"};
        String[] sizes = {"small", "medium", "large"};
        for (int i = 0; i < 120; i++) {
            int c = rnd.nextInt(3);
            int s = rnd.nextInt(3);
            Double w = i % 9 == 0 ? null : 10 + 5 * s + rnd.nextGaussian();
            double[] bands = {rnd.nextDouble() + c, rnd.nextDouble() * 2};
            String kind = (c == 0 && s > 0) ? "apple" : s == 2 ? "melon" : "berry";
            b.addRow(new Object[]{colors[c], sizes[s], w, bands}, kind);
        }
        return b.build();
    }

    /** Every feature scaled to zero mean and unit variance. */
    static PreprocessSpec standardize(Dataset d) {
        Map<String, Object> m = new HashMap<>();
        d.featureColumns().forEach(f -> m.put(f.name(), Map.of("scale", "standard")));
        return PreprocessSpec.of(m);
    }

    /** Small enough to commit (a few trees), defaults otherwise. */
    private static Map<String, Object> small(Task task, String name) {
        Map<String, Object> h = new HashMap<>();
        if (List.of("xgboost", "xgboost_random_forest", "lightgbm", "random_forest", "extra_trees", "bagging", "gradient_boosting_trees",
                "ada_boost").contains(name)) {
            h.put("n_estimators", 5);
        }
        if (name.equals("hist_gradient_boosting")) {
            h.put("max_iter", 5);
        }
        if (task == Task.CLUSTERING && List.of("kmeans", "mini_batch_kmeans", "birch", "spectral").contains(name)) {
            h.put("n_clusters", 3);
        }
        if (name.equals("theil_sen")) {
            h.put("max_subpopulation", 200);
        }
        if (name.equals("quantile")) {
            h.put("alpha", 0.01);
        }
        return h;
    }

    /** The recorded inputs: every 17th training row, as the row values predict receives. */
    static Object[][] inputs(Dataset d) {
        Object[][] rows = new Object[INPUT_ROWS][];
        List<FeatureColumn> features = d.featureColumns();
        int[] widths = d.arrayWidths();
        for (int i = 0; i < INPUT_ROWS; i++) {
            int row = (i * 17) % d.numRows();
            Object[] values = new Object[features.size()];
            int col = 0;
            for (int f = 0; f < features.size(); f++) {
                FeatureColumn fc = features.get(f);
                if (fc.array()) {
                    double[] a = new double[widths[f]];
                    for (int k = 0; k < a.length; k++) {
                        a[k] = d.columns().get(col++).value(row);
                    }
                    values[f] = a;
                } else {
                    Dataset.Column c = d.columns().get(col++);
                    values[f] = fc.type() == io.pgmlsidecar.ml.tabular.data.ColumnType.CATEGORICAL ? c.category(row) : nullable(c.value(row));
                }
            }
            rows[i] = values;
        }
        return rows;
    }

    private static Double nullable(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** What a model answers for the inputs, as JSON-ready values; the fixture test compares these exactly. */
    static Map<String, Object> answers(TabularModel m, Object[][] rows) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task", m.task().pgName());
        out.put("algorithm", m.algorithm());
        if (m.task() == Task.DECOMPOSITION) {
            out.put("transform", m.transformRows(rows));
        } else if (m.numTargets() > 1) {
            out.put("predict_joint", m.predictJointRows(rows));
        } else {
            out.put("predict", m.predictRows(rows));
            out.put("labels", m.predictLabelsRows(rows));
            if (m.supportsProba()) {
                out.put("predict_proba", m.predictProbaRows(rows));
            }
        }
        out.put("classes", m.classes());
        out.put("features", m.featureColumns().stream().map(FeatureColumn::name).toList());
        return out;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "model-fixtures");
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        for (Spec spec : specs()) {
            if (Files.exists(dir.resolve(spec.name() + ".model"))) {
                continue; // a committed fixture is never rewritten
            }
            TabularModel m = TabularTrainer.train(spec.data(), spec.request()).model();
            Object[][] rows = inputs(spec.data());
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("inputs", rows);
            expected.putAll(answers(m, rows));
            byte[] bytes = m.toBytes();
            Files.write(dir.resolve(spec.name() + ".model"), bytes);
            json.writeValue(dir.resolve(spec.name() + ".expected.json").toFile(), expected);
            System.out.printf("%-55s %8d bytes%n", spec.name(), bytes.length);
        }
    }
}
