package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.ml.tabular.ExternalBoosterFit;
import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.Task;
import io.pgmlsidecar.ml.tabular.TrainingCancelledException;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.LabelKind;
import io.pgmlsidecar.ml.tabular.preprocess.PreprocessSpec;
import io.pgmlsidecar.ml.tabular.split.Split;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.planner.tabular.engine.EngineJob;
import io.pgmlsidecar.planner.tabular.engine.EngineJobRequest;
import io.pgmlsidecar.planner.tabular.engine.FitCommand;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngine;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.TreeSet;

/**
 * pgml.train on another engine (decision 33d). The engine's job reads the relation first, as the calling role, in
 * ranges of its heap blocks; then the session reads it in ctid order as a local training does, and the counts must
 * agree (the job cannot see this transaction's uncommitted changes, nor the session rows committed after its
 * snapshot). The local path then splits, preprocesses and scores as always; only the booster comes from the job,
 * trained on the rows of the training split, which the job learns as a bit per row in ctid order.
 */
final class EngineTraining implements AutoCloseable {

    private final EngineJob job;
    private final String relation;
    private final String engineName;

    private EngineTraining(EngineJob job, String relation, String engineName) {
        this.job = job;
        this.relation = relation;
        this.engineName = engineName;
    }

    String engineName() {
        return engineName;
    }

    /** Checks what the engine can train, then starts its job on the relation the session will read. */
    static EngineTraining start(TrainingEngine engine, SessionContext session, Task task, String algorithm, String search,
                                PreprocessSpec preprocess, String relation, List<String> labels) {
        if (task != Task.CLASSIFICATION && task != Task.REGRESSION) {
            throw unsupported(engine, task.pgName() + " projects");
        }
        if (!"xgboost".equals(algorithm)) {
            throw unsupported(engine, "algorithm " + algorithm + " (it trains xgboost)");
        }
        if (search != null) {
            throw unsupported(engine, "hyperparameter search");
        }
        if (preprocess != null && preprocess != PreprocessSpec.NONE && !preprocess.columns().isEmpty()) {
            throw unsupported(engine, "preprocess (it trains on the columns as stored)");
        }
        if (labels == null || labels.size() != 1) {
            throw unsupported(engine, "joint training on several labels");
        }
        List<String[]> who = BackendSteps.query(session.backend(), "SELECT current_user::text, current_database()::text");
        EngineJob job = engine.start(new EngineJobRequest(who.get(0)[1], who.get(0)[0], relation, labels.get(0)));
        return new EngineTraining(job, relation, engine.name());
    }

    private static PgException unsupported(TrainingEngine engine, String what) {
        return new PgException("0A000", "the " + engine.name() + " engine does not train " + what + " yet",
                "Train it in the sidecar with hyperparams \"engine\": \"local\".");
    }

    /** Waits for the job's read (relaying its progress), then reads the relation through the session in ctid order. */
    RelationReader.Relation read(SessionContext session, List<String> labels) {
        EngineJob.ReadSummary summary = job.awaitRead(m -> TabularActions.notice(session, m), session::cancelRequested);
        RelationReader.Relation data = RelationReader.read(session, relation, labels, " ORDER BY ctid");
        Dataset d = data.dataset();
        long jobRows = 0;
        for (long c : summary.counts()) {
            jobRows += c;
        }
        if (jobRows != d.numRows()) {
            throw changed("the training job read " + jobRows + " rows of " + relation + " where this session reads " + d.numRows());
        }
        int row = 0;
        for (int p = 0; p < summary.counts().length; p++) {
            double sum = 0;
            for (int i = 0; i < summary.counts()[p]; i++, row++) {
                sum += (i + 1.0) * ((d.labelKind() == LabelKind.TEXT ? 0 : d.numericLabel(row)) + 1.0);
            }
            double expected = summary.checksums()[p];
            if (Math.abs(sum - expected) > 1e-6 * Math.max(1, Math.abs(expected))) {
                throw changed("the training job and this session read different rows of " + relation + " (range " + p + ")");
            }
        }
        return data;
    }

    private static PgException changed(String message) {
        return new PgException(io.pgmlsidecar.proxy.codec.PgError.error("55000", message,
                "The job reads what is committed: commit changes to the relation before training on it (and keep it "
                        + "unchanged while it trains), then train again."));
    }

    /** Trains the booster of the local fit on the job, on the training rows of {@code split}. */
    ExternalBoosterFit boosterFit(Dataset data, Task task, Split split) {
        if (task == Task.CLASSIFICATION && data.labelKind() == LabelKind.TEXT) {
            throw new PgException("0A000", "the spark engine trains on numeric or boolean labels; \"" + data.labelName() + "\" is text",
                    "Train it in the sidecar with hyperparams \"engine\": \"local\".");
        }
        byte[] mask = new byte[(data.numRows() + 7) / 8];
        for (int row : split.train()) {
            mask[row >>> 3] |= (byte) (1 << (row & 7));
        }
        double[] classValues = new double[0];
        if (task == Task.CLASSIFICATION) {
            TreeSet<Double> values = new TreeSet<>();
            for (int i = 0; i < data.numRows(); i++) {
                values.add(data.numericLabel(i));
            }
            classValues = values.stream().mapToDouble(Double::doubleValue).toArray();
        }
        double[] classes = classValues;
        return (params, rounds, numTrainRows, ctx) -> {
            if (numTrainRows != split.numTrain()) {
                throw new IllegalStateException("the fit has " + numTrainRows + " training rows, the split " + split.numTrain());
            }
            return job.fit(new FitCommand(mask, numTrainRows, task.pgName(), classes, data.columns().size(), params, rounds),
                    m -> ctx.phase("fit", m), () -> cancelled(ctx));
        };
    }

    private static boolean cancelled(FitContext ctx) {
        try {
            ctx.checkCancelled();
            return false;
        } catch (TrainingCancelledException e) {
            return true;
        }
    }

    @Override
    public void close() {
        job.close();
    }
}
