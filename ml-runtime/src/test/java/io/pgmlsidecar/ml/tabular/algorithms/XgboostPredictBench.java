package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.TabularModel;
import io.pgmlsidecar.ml.tabular.TabularTrainer;
import io.pgmlsidecar.ml.tabular.Task;
import io.pgmlsidecar.ml.tabular.TrainRequest;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;

import java.util.Arrays;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Not a test: prints predictions per second of the Java evaluator and of XGBoost4J's inplace_predict, side
 * by side, for single rows (what pgml.predict serves) and for batches, the median of several timed runs.
 * Models are trained on the toy data sets with pgml.train's defaults (100 rounds, depth 6).
 * <pre>
 * java -cp ml-runtime/target/classes:ml-runtime/target/test-classes:$(cat ml-runtime/target/bench-classpath.txt) \
 *     io.pgmlsidecar.ml.tabular.algorithms.XgboostPredictBench [runs=5] [seconds per run=1]
 * </pre>
 */
public final class XgboostPredictBench {
    private static final int[] BATCH_SIZES = {10, 100, 300, 1_000, 3_000, 10_000};

    private XgboostPredictBench() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        System.out.printf("%d cores, %d runs of %.1f s, median; XGBoost4J nthread = the model's default (half the cores)%n",
                Runtime.getRuntime().availableProcessors(), runs, seconds);
        bench("regression, diabetes (10 features, 100 trees)", Task.REGRESSION, "diabetes", "target", runs, seconds);
        bench("binary, breast_cancer (30 features, 100 trees)", Task.CLASSIFICATION, "breast_cancer", "malignant", runs, seconds);
        bench("10 classes, digits (64 features, 1000 trees)", Task.CLASSIFICATION, "digits", "target", runs, seconds);
    }

    private static void bench(String title, Task task, String dataset, String label, int runs, double seconds) {
        Dataset data = PgmlDatasets.toDataset(PgmlDatasets.load(dataset, null), label);
        TabularModel tabular = TabularTrainer.train(data, TrainRequest.builder(task).algorithm("xgboost").build()).model();
        XgboostModel model = (XgboostModel) TabularModel.fromBytes(tabular.toBytes()).estimator();
        long start = System.nanoTime();
        XgboostTrees trees = model.javaTrees().orElseThrow(() -> new IllegalStateException("no Java evaluator for " + title));
        long buildMicros = (System.nanoTime() - start) / 1000;
        int width = trees.numFeatures();
        float[][] rows = rows(data, width);

        System.out.println("\n" + title);
        System.out.printf("  loaded model: booster loaded, Java evaluator built and self-checked in %.1f ms (once)%n", buildMicros / 1000.0);
        System.out.printf("  %-34s %14s %14s %8s%n", "", "Java", "XGBoost4J", "ratio");
        compare("single row, estimator (rows/s)", runs, seconds, 1,
                i -> trees.predict(rows[i % rows.length], 1),
                i -> model.xgboost4jPredict(rows[i % rows.length], 1, width));
        double[][] input = new double[rows.length][width];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < width; j++) {
                input[i][j] = rows[i][j];
            }
        }
        System.out.printf("  %-34s %14.0f%n", "single row, TabularModel.predict", median(runs, seconds, 1, i -> tabular.predict(input[i % input.length])));
        for (int size : BATCH_SIZES) {
            float[] batch = batch(rows, size);
            compare("batch of " + size + " (rows/s)", runs, seconds, size, i -> trees.predict(batch, size),
                    i -> model.xgboost4jPredict(batch, size, width));
        }
    }

    private static void compare(String what, int runs, double seconds, int rowsPerCall, IntConsumer java, IntConsumer xgboost4j) {
        double j = median(runs, seconds, rowsPerCall, java);
        double x = median(runs, seconds, rowsPerCall, xgboost4j);
        System.out.printf("  %-34s %14.0f %14.0f %7.1fx%n", what, j, x, j / x);
    }

    /** Rows per second, the median of {@code runs} runs of about {@code seconds} each, after one warm-up run. */
    private static double median(int runs, double seconds, int rowsPerCall, IntConsumer call) {
        double[] rates = new double[runs];
        for (int r = -1; r < runs; r++) {
            long calls = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now;
            int callsBetweenClockReads = rowsPerCall == 1 ? 16 : 1;
            do {
                for (int k = 0; k < callsBetweenClockReads; k++) {
                    call.accept((int) calls++);
                }
                now = System.nanoTime();
            } while (now < end);
            if (r >= 0) {
                rates[r] = calls * (double) rowsPerCall / ((now - start) / 1e9);
            }
        }
        Arrays.sort(rates);
        return rates[runs / 2];
    }

    private static float[][] rows(Dataset data, int width) {
        float[][] rows = new float[data.numRows()][width];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < width; j++) {
                rows[i][j] = (float) data.columns().get(j).value(i);
            }
        }
        return rows;
    }

    /** {@code size} rows, row-major, cycling through the data set. */
    private static float[] batch(float[][] rows, int size) {
        int width = rows[0].length;
        float[] out = new float[size * width];
        for (int i = 0; i < size; i++) {
            System.arraycopy(rows[i % rows.length], 0, out, i * width, width);
        }
        return out;
    }
}
