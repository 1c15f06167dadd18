package io.pgmlsidecar.bench;

import io.pgmlsidecar.ml.tabular.TabularTrainer;
import io.pgmlsidecar.ml.tabular.Task;
import io.pgmlsidecar.ml.tabular.TrainRequest;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;
import io.pgmlsidecar.ml.tabular.split.Split;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes digits, breast_cancer and diabetes as pgml.train splits them by default (test_size 0.25, stratified, the
 * trainer's seed) to {@code <dir>/<dataset>.csv}: columns {@code split} (train / test), {@code label}, then the features.
 * The scikit-learn reference script (integration-tests/src/main/python/sklearn_reference.py) fits on exactly these rows,
 * so its scores sit next to AlgorithmsBenchmark's on the same split.
 */
public final class SplitExport {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/splits");
        Files.createDirectories(dir);
        write(dir, "digits", "target", Task.CLASSIFICATION);
        write(dir, "breast_cancer", "malignant", Task.CLASSIFICATION);
        write(dir, "diabetes", "target", Task.REGRESSION);
    }

    private static void write(Path dir, String name, String label, Task task) throws IOException {
        Dataset d = PgmlDatasets.toDataset(PgmlDatasets.load(name, null), label);
        Split split = TabularTrainer.splitFor(d, TrainRequest.builder(task).build());
        String[] role = new String[d.numRows()];
        for (int i : split.train()) {
            role[i] = "train";
        }
        for (int i : split.test()) {
            role[i] = "test";
        }
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve(name + ".csv")))) {
            StringBuilder header = new StringBuilder("split,label");
            for (int j = 0; j < d.columns().size(); j++) {
                header.append(",f").append(j);
            }
            out.println(header);
            for (int i = 0; i < d.numRows(); i++) {
                StringBuilder row = new StringBuilder(role[i]).append(',').append(d.labelKey(i));
                for (int j = 0; j < d.columns().size(); j++) {
                    row.append(',').append(String.format(Locale.ROOT, "%.17g", d.columns().get(j).value(i)));
                }
                out.println(row);
            }
        }
        System.out.println(name + ": " + split.numTrain() + " train, " + split.numTest() + " test rows");
    }
}
