package io.pgmlsidecar.ml.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Trains a {@link ClassificationHead} on fixed sentence vectors the way HF Trainer trains a model:
 * shuffled mini-batches each epoch, mean cross-entropy, gradient clipping by global norm, AdamW with
 * decoupled weight decay on the weights only (HF excludes biases), and the learning-rate schedule.
 * Checks the thread's interrupt flag before every step.
 */
final class HeadTrainer {
    /** HF's {@code initializer_range} for BERT-like configs: the std of a new classifier's weights. */
    static final double INIT_STD = 0.02;

    private final TrainingArguments args;
    private final TuneListener listener;
    private final List<TuneProgress> progress = new ArrayList<>();
    private final List<TuneEvaluation> evaluations = new ArrayList<>();

    HeadTrainer(TrainingArguments args, TuneListener listener) {
        this.args = args;
        this.listener = listener;
    }

    record Result(ClassificationHead head, TrainingHistory history, ClassificationMetrics lastEvaluation) {}

    Result train(float[][] x, int[] y, int numLabels, float[][] evalX, int[] evalY) {
        int n = x.length, dim = x[0].length;
        int batch = args.effectiveBatchSize();
        long stepsPerEpoch = (n + batch - 1) / batch;
        long total = args.maxSteps() > 0 ? args.maxSteps() : (long) Math.ceil(args.numTrainEpochs() * stepsPerEpoch);
        total = Math.max(total, 1);
        long logEvery = args.loggingSteps() < 1 ? Math.max(1, (long) Math.ceil(args.loggingSteps() * total))
                : (long) args.loggingSteps();
        LearningRateSchedule schedule = LearningRateSchedule.of(args, total);

        Random random = new Random(args.seed());
        ClassificationHead head = ClassificationHead.initialized(dim, numLabels, INIT_STD, random);
        AdamW weightOpt = new AdamW(head.weight.length, args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(), args.weightDecay());
        AdamW biasOpt = new AdamW(head.bias.length, args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(), 0.0);
        double[] gW = new double[head.weight.length], gB = new double[head.bias.length];

        long step = 0;
        int epoch = 0;
        double logLoss = 0, lr = 0;
        int logBatches = 0;
        ClassificationMetrics lastEval = null;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        while (step < total) {
            shuffle(order, random);
            double epochLoss = 0;
            int epochBatches = 0;
            for (int start = 0; start < n && step < total; start += batch) {
                TuningCancelledException.checkInterrupt();
                int end = Math.min(n, start + batch);
                double loss = gradients(head, x, y, order, start, end, gW, gB);
                clip(gW, gB);
                weightOpt.step(head.weight, gW, schedule.at(step));
                biasOpt.step(head.bias, gB, schedule.at(step));
                step++;
                // HF logs the scheduler's rate after its step: the rate of the next step (0 at the end)
                lr = schedule.at(step);
                logLoss += loss;
                logBatches++;
                epochLoss += loss;
                epochBatches++;
                if (step % logEvery == 0) {
                    emit(new TuneProgress(TuneProgress.Kind.LOG, step, epoch + (double) epochBatches / stepsPerEpoch,
                            logLoss / logBatches, lr));
                    logLoss = 0;
                    logBatches = 0;
                }
            }
            double epochPosition = epoch + (double) epochBatches / stepsPerEpoch;
            epoch++;
            emit(new TuneProgress(TuneProgress.Kind.EPOCH, step, epochPosition, epochLoss / epochBatches, lr));
            if (evalX != null && evalX.length > 0) {
                lastEval = head.evaluate(evalX, evalY);
                TuneEvaluation ev = new TuneEvaluation(step, epochPosition, lastEval);
                evaluations.add(ev);
                listener.onEvaluate(ev);
            }
        }
        return new Result(head, new TrainingHistory(progress, evaluations, total), lastEval);
    }

    private void emit(TuneProgress p) {
        progress.add(p);
        if (p.kind() == TuneProgress.Kind.LOG) listener.onLog(p);
        else listener.onEpochEnd(p);
    }

    /** Fisher-Yates with the run's seeded generator: the same seed gives the same batches. */
    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Mean cross-entropy of the batch; fills the gradients of weight and bias. */
    private static double gradients(ClassificationHead head, float[][] x, int[] y, int[] order, int start, int end,
                                    double[] gW, double[] gB) {
        java.util.Arrays.fill(gW, 0);
        java.util.Arrays.fill(gB, 0);
        int dim = head.inputSize(), labels = head.numLabels();
        double count = end - start, loss = 0;
        double[] p = new double[labels];
        for (int k = start; k < end; k++) {
            float[] v = x[order[k]];
            double[] logits = head.logits(v);
            int label = y[order[k]];
            loss += ClassificationHead.crossEntropy(logits, label);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double l : logits) max = Math.max(max, l);
            for (int c = 0; c < labels; c++) sum += p[c] = Math.exp(logits[c] - max);
            for (int c = 0; c < labels; c++) {
                // d(mean CE)/d(logit c) = (softmax_c - [c == label]) / batch
                double d = (p[c] / sum - (c == label ? 1 : 0)) / count;
                gB[c] += d;
                int base = c * dim;
                for (int j = 0; j < dim; j++) gW[base + j] += d * v[j];
            }
        }
        return loss / count;
    }

    /** torch.nn.utils.clip_grad_norm_ over all parameters, as HF does with max_grad_norm. */
    private void clip(double[] gW, double[] gB) {
        if (args.maxGradNorm() <= 0) return;
        double s = 0;
        for (double g : gW) s += g * g;
        for (double g : gB) s += g * g;
        double norm = Math.sqrt(s);
        double coef = args.maxGradNorm() / (norm + 1e-6);
        if (coef >= 1) return;
        for (int i = 0; i < gW.length; i++) gW[i] *= coef;
        for (int i = 0; i < gB.length; i++) gB[i] *= coef;
    }
}
