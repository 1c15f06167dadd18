package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.algorithms.EstimatorFormats;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;
import io.pgmlsidecar.ml.tabular.preprocess.PreprocessSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Format 3 round trips of the sgd, svm (libsvm / liblinear), kernel and gaussian process estimators and of
 * the joint regressor, over hyperparameters that change what is stored: predictions (and probabilities)
 * must be bit-identical, and a loaded model must store the same document again.
 */
class SvmSgdKernelGaussianStoredFormatTest {

    private static PreprocessSpec standardize(Dataset d) {
        Map<String, Object> m = new HashMap<>();
        d.featureColumns().forEach(f -> m.put(f.name(), Map.of("scale", "standard")));
        return PreprocessSpec.of(m);
    }

    /** Two classes, three features (one often zero, so sparse libsvm/liblinear rows differ in length). */
    private static Dataset binary() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("a"), FeatureColumn.numeric("b"), FeatureColumn.numeric("c")), "y");
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 120; i++) {
            double a = rnd.nextDouble(-2, 2);
            double bb = rnd.nextDouble(-2, 2);
            double c = i % 3 == 0 ? 0 : rnd.nextDouble(-1, 1);
            b.addRow(new Object[]{a, bb, c}, a + 0.5 * bb - c + rnd.nextGaussian() * 0.4 > 0 ? 1.0 : 0.0);
        }
        return b.build();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Task.REGRESSION, "stochastic_gradient_descent", Map.of()),
                Arguments.of(Task.REGRESSION, "stochastic_gradient_descent", Map.of("loss", "huber", "penalty", "elasticnet", "fit_intercept", false)),
                Arguments.of(Task.REGRESSION, "passive_aggressive", Map.of()),
                Arguments.of(Task.REGRESSION, "kernel_ridge", Map.of("kernel", "rbf", "gamma", 0.3)),
                Arguments.of(Task.REGRESSION, "kernel_ridge", Map.of("kernel", "poly", "degree", 2)),
                Arguments.of(Task.REGRESSION, "kernel_ridge", Map.of("kernel", "laplacian")),
                Arguments.of(Task.REGRESSION, "kernel_ridge", Map.of("kernel", "cosine")),
                Arguments.of(Task.REGRESSION, "kernel_ridge", Map.of("kernel", "sigmoid", "coef0", 0.5)),
                Arguments.of(Task.REGRESSION, "gaussian_process", Map.of("normalize_y", true)),
                Arguments.of(Task.REGRESSION, "gaussian_process", Map.of("length_scale", 2.0)),
                Arguments.of(Task.REGRESSION, "svm", Map.of("C", 50.0)),
                Arguments.of(Task.REGRESSION, "svm", Map.of("kernel", "poly", "gamma", "auto")),
                Arguments.of(Task.REGRESSION, "nu_svm", Map.of("kernel", "linear")),
                Arguments.of(Task.REGRESSION, "nu_svm", Map.of("kernel", "sigmoid", "gamma", 0.05)),
                Arguments.of(Task.REGRESSION, "linear_svm", Map.of("loss", "squared_epsilon_insensitive", "epsilon", 0.5)),
                Arguments.of(Task.REGRESSION, "linear_svm", Map.of("fit_intercept", false)),
                Arguments.of(Task.CLASSIFICATION, "stochastic_gradient_descent", Map.of("loss", "log_loss")),
                Arguments.of(Task.CLASSIFICATION, "stochastic_gradient_descent", Map.of("loss", "modified_huber")),
                Arguments.of(Task.CLASSIFICATION, "stochastic_gradient_descent", Map.of()),
                Arguments.of(Task.CLASSIFICATION, "perceptron", Map.of()),
                Arguments.of(Task.CLASSIFICATION, "passive_aggressive", Map.of()),
                Arguments.of(Task.CLASSIFICATION, "ridge", Map.of("fit_intercept", false)),
                Arguments.of(Task.CLASSIFICATION, "gaussian_process", Map.of()),
                Arguments.of(Task.CLASSIFICATION, "svm", Map.of("probability", true)),
                Arguments.of(Task.CLASSIFICATION, "svm", Map.of("kernel", "poly")),
                Arguments.of(Task.CLASSIFICATION, "nu_svm", Map.of("probability", true, "kernel", "linear")),
                Arguments.of(Task.CLASSIFICATION, "linear", Map.of()),
                Arguments.of(Task.CLASSIFICATION, "linear", Map.of("penalty", "l1", "fit_intercept", false)),
                Arguments.of(Task.CLASSIFICATION, "linear_svm", Map.of("loss", "hinge")),
                Arguments.of(Task.CLASSIFICATION, "linear_svm", Map.of("penalty", "l1")));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void roundTripsBitIdentically(Task task, String name, Map<String, Object> hyperparams) {
        List<Dataset> sets = task == Task.REGRESSION ? List.of(Toy.get("diabetes", "target"))
                : List.of(Toy.get("iris", "target"), binary());
        for (Dataset d : sets) {
            TabularModel m = TabularTrainer.train(d, TrainRequest.builder(task).algorithm(name).hyperparams(hyperparams)
                    .preprocess(standardize(d)).build()).model();
            byte[] stored = m.toBytes();
            TabularModel back = TabularModel.fromBytes(stored);
            double[][] x = rows(d, 40);
            assertArrayEquals(m.predict(x), back.predict(x), 0.0, name + " changed after the bytes round trip");
            assertEquals(m.supportsProba(), back.supportsProba(), name);
            if (m.supportsProba()) {
                double[][] pa = m.predictProba(x);
                double[][] pb = back.predictProba(x);
                for (int i = 0; i < pa.length; i++) {
                    assertArrayEquals(pa[i], pb[i], 0.0, name + " probabilities changed");
                }
            }
            // what was read is all that is written: storing the loaded model again gives the same document
            byte[] again = back.toBytes();
            assertArrayEquals(again, TabularModel.fromBytes(again).toBytes(), name);
        }
    }

    @Test
    void jointRegressorStoresEachTargetsEstimator() {
        Dataset d = PgmlDatasets.toDataset(PgmlDatasets.load("linnerud", null), List.of("weight", "waist", "pulse"));
        for (String alg : List.of("svm", "kernel_ridge", "gaussian_process", "stochastic_gradient_descent", "linear_svm")) {
            TabularModel m = TabularTrainer.train(d, TrainRequest.builder(Task.REGRESSION).algorithm(alg)
                    .preprocess(standardize(d)).build()).model();
            TabularModel back = TabularModel.fromBytes(m.toBytes());
            assertEquals(3, back.numTargets(), alg);
            double[][] x = {{5, 162, 60}, {12, 105, 37}, {0, 0, 0}};
            double[][] a = m.predictJoint(x);
            double[][] b = back.predictJoint(x);
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(a[i], b[i], 0.0, alg);
            }
        }
    }

    @Test
    void typesAreRegistered() {
        for (String t : List.of("sgd_regressor", "ovr_linear_classifier", "libsvm", "liblinear", "kernel_ridge",
                "gaussian_process_regressor", "gaussian_process_classifier", "joint_regressor")) {
            assertTrue(EstimatorFormats.readable().contains(t + "/1"), t);
        }
    }

    private static double[][] rows(Dataset d, int n) {
        int count = Math.min(n, d.numRows());
        double[][] x = new double[count][];
        for (int i = 0; i < count; i++) {
            x[i] = new double[d.columns().size()];
            for (int j = 0; j < x[i].length; j++) {
                // every third row, scaled, so some inputs lie outside the training range
                double v = d.columns().get(j).value(i * d.numRows() / count);
                x[i][j] = i % 3 == 0 ? v * 1.7 : v;
            }
        }
        return x;
    }
}
