package io.pgmlsidecar.planner.tabular.engine;

import java.util.Map;

/**
 * What the job trains: {@code trainMask} has bit {@code i} (byte i/8, bit i%8) set when row i of the relation in ctid
 * order is in the training split; classification labels become the index of their value in {@code classValues}
 * (ascending, as the local trainer orders classes); {@code params} and {@code rounds} are the local fit's.
 */
public record FitCommand(byte[] trainMask, int trainRows, String task, double[] classValues, int numFeatures,
                         Map<String, Object> params, int rounds) {}
