package io.pgmlsidecar.ml.tune;

import java.util.List;

/** Everything the listener saw, in order: logging-step and epoch entries, and evaluations. */
public record TrainingHistory(List<TuneProgress> progress, List<TuneEvaluation> evaluations, long totalSteps) {
    public TrainingHistory {
        progress = List.copyOf(progress);
        evaluations = List.copyOf(evaluations);
    }

    public List<TuneProgress> epochs() {
        return progress.stream().filter(p -> p.kind() == TuneProgress.Kind.EPOCH).toList();
    }
}
