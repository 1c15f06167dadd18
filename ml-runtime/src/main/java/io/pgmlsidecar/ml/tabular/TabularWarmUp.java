package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.DatasetBuilder;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.preprocess.ColumnStatistics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs the tabular path once on a tiny made-up dataset: column statistics, then train an XGBoost
 * classifier (split, preprocessing, fit, scoring, the stored form), load it back from its bytes and
 * predict. Done in the background at start, it moves the one-time costs — loading XGBoost's native
 * library, loading and compiling the classes of the path — off the first {@code pgml.train} a user
 * runs.
 */
public final class TabularWarmUp {

    private static final int ROWS = 120;
    private static final int WIDTH = 16;
    private static final int CLASSES = 3;

    private TabularWarmUp() {}

    /** Runs the path once and returns how long it took; any failure is the caller's to log. */
    public static Duration run() {
        long started = System.nanoTime();
        DatasetBuilder rows = Dataset.builder(List.of(FeatureColumn.numericArray("image")), "target");
        Random random = new Random(7);
        for (int i = 0; i < ROWS; i++) {
            int label = i % CLASSES;
            float[] image = new float[WIDTH];
            for (int k = 0; k < WIDTH; k++) {
                image[k] = (k % CLASSES == label ? 8f : 0f) + random.nextInt(4);
            }
            rows.addRow(new Object[] {image}, label);
        }
        Dataset data = rows.build();
        TrainRequest request = TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost")
                .hyperparams(Map.of("n_estimators", 8)).build();
        // what pgml.train computes beside the fit: the snapshot's column statistics
        ColumnStatistics.describe(data, TabularTrainer.splitFor(data, request).train(), request.preprocess());
        TrainResult trained = TabularTrainer.train(data, request);
        TabularModel loaded = TabularModel.fromBytes(trained.model().toBytes());
        double[][] probe = new double[CLASSES][WIDTH];
        for (int c = 0; c < CLASSES; c++) {
            for (int k = c; k < WIDTH; k += CLASSES) {
                probe[c][k] = 9;
            }
        }
        double[] predicted = loaded.predict(probe);
        for (int c = 0; c < CLASSES; c++) {
            if (predicted[c] != c) {
                throw new TabularException("warm-up model predicted " + predicted[c] + " for class " + c);
            }
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
