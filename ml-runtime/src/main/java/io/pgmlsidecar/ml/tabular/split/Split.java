package io.pgmlsidecar.ml.tabular.split;

/** Row indices of the train and test splits (into the dataset). */
public record Split(int[] train, int[] test) {
    public int numTrain() {
        return train.length;
    }

    public int numTest() {
        return test.length;
    }
}
