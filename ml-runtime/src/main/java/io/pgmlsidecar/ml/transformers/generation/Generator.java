package io.pgmlsidecar.ml.transformers.generation;

import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * transformers' {@code generate()} over a {@link StepModel}: greedy search, multinomial sampling and
 * beam search, with the logits processors of {@link LogitsProcessing}. Checks the thread's interrupt
 * flag before every step.
 */
final class Generator {
    private Generator() {}

    /** Sees the new tokens of every row after each greedy or sampling step (streaming). */
    interface StepObserver {
        void step(List<long[]> newTokensPerRow);
    }

    /** Per input, its returned sequences' new tokens (end token included when one was produced). */
    record Result(List<List<long[]>> perInput, long tokensFed) {}

    static Result generate(StepModel model, List<long[]> prompts, GenerationConfig cfg, StepObserver observer) {
        if (cfg.numBeams() > 1) {
            if (cfg.doSample()) {
                throw new InvalidArgumentsException("argument 'do_sample' with 'num_beams' > 1 (beam sampling) is not"
                        + " served: use num_beams alone, or do_sample with num_beams=1");
            }
            return beam(model, prompts, cfg);
        }
        return sampleOrGreedy(model, prompts, cfg, observer);
    }

    /** New tokens allowed after {@code initial} tokens: the config's limit, within the model's positions. */
    private static int limit(StepModel model, GenerationConfig cfg, int initial) {
        int positions = model.maxPositions();
        if (initial >= positions) {
            throw new InvalidArgumentsException("the input is " + initial + " tokens; the model handles at most "
                    + positions + " positions, prompt and generated text together");
        }
        return Math.min(cfg.newTokenLimit(initial), positions - initial);
    }

    private static void checkInterrupted(int step) {
        if (Thread.currentThread().isInterrupted()) throw new GenerationCancelledException(step);
    }

    /** A growing token sequence: the initial tokens, then the new ones. */
    private static final class Seq {
        long[] tokens;
        int length;
        final int initial;

        Seq(long[] init) {
            tokens = Arrays.copyOf(init, init.length + 16);
            length = init.length;
            initial = init.length;
        }

        Seq(Seq other) {
            tokens = other.tokens.clone();
            length = other.length;
            initial = other.initial;
        }

        void add(long t) {
            if (length == tokens.length) tokens = Arrays.copyOf(tokens, tokens.length * 2);
            tokens[length++] = t;
        }

        int generated() {
            return length - initial;
        }

        long[] newTokens() {
            return Arrays.copyOfRange(tokens, initial, length);
        }
    }

    private static float[] process(float[] logits, Seq seq, GenerationConfig cfg) {
        float[] s = logits.clone();
        LogitsProcessing.repetitionPenalty(s, seq.tokens, seq.length, cfg.repetitionPenalty());
        LogitsProcessing.minLength(s, cfg, seq.length, seq.generated());
        return s;
    }

    private static Result sampleOrGreedy(StepModel model, List<long[]> prompts, GenerationConfig cfg, StepObserver observer) {
        int per = cfg.doSample() ? cfg.numReturnSequences() : 1;
        List<long[]> rowPrompts = new ArrayList<>();
        List<Seq> seqs = new ArrayList<>();
        for (long[] p : prompts) {
            for (int k = 0; k < per; k++) {
                rowPrompts.add(p);
                seqs.add(new Seq(model.initialSequence(p)));
            }
        }
        int rows = rowPrompts.size();
        int[] limit = new int[rows];
        boolean[] finished = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            limit[r] = limit(model, cfg, seqs.get(r).initial);
            finished[r] = limit[r] == 0;
        }
        Random random = cfg.seed() == null ? new Random() : new Random(cfg.seed());
        int step = 0;
        checkInterrupted(step);
        try (StepModel.DecodingState state = allFinished(finished) ? null : model.start(rowPrompts)) {
            while (!allFinished(finished)) {
                checkInterrupted(step);
                float[][] logits = state.logits();
                long[] next = new long[rows];
                for (int r = 0; r < rows; r++) {
                    Seq seq = seqs.get(r);
                    if (finished[r]) {
                        next[r] = cfg.padTokenId();
                        continue;
                    }
                    float[] scores = process(logits[r], seq, cfg);
                    int token;
                    if (cfg.doSample()) {
                        LogitsProcessing.temperature(scores, cfg.temperature());
                        LogitsProcessing.topK(scores, cfg.topK());
                        LogitsProcessing.topP(scores, cfg.topP());
                        token = LogitsProcessing.sample(scores, random);
                    } else {
                        token = LogitsProcessing.argmax(scores);
                    }
                    next[r] = token;
                    seq.add(token);
                    if (cfg.isEos(token) || seq.generated() >= limit[r]) finished[r] = true;
                }
                step++;
                if (observer != null) {
                    List<long[]> news = new ArrayList<>(rows);
                    for (Seq s : seqs) news.add(s.newTokens());
                    observer.step(news);
                }
                if (allFinished(finished)) break;
                checkInterrupted(step);
                state.advance(next);
            }
            List<List<long[]>> out = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                List<long[]> group = new ArrayList<>();
                for (int k = 0; k < per; k++) group.add(seqs.get(i * per + k).newTokens());
                out.add(group);
            }
            return new Result(out, state == null ? 0 : state.tokensFed());
        }
    }

    private static boolean allFinished(boolean[] finished) {
        for (boolean f : finished) if (!f) return false;
        return true;
    }

    /** A finished beam hypothesis. */
    private record Hypothesis(long[] tokens, double score) {}

    /** The best {@code keep} hypotheses of one input. */
    private static final class Hypotheses {
        final List<Hypothesis> items = new ArrayList<>();
        final int keep;
        final double lengthPenalty;

        Hypotheses(int keep, double lengthPenalty) {
            this.keep = keep;
            this.lengthPenalty = lengthPenalty;
        }

        void add(long[] tokens, double sumLogprobs) {
            double score = sumLogprobs / Math.pow(Math.max(1, tokens.length), lengthPenalty);
            if (items.size() < keep || score > worst()) {
                items.add(new Hypothesis(tokens, score));
                items.sort(Comparator.comparingDouble(Hypothesis::score).reversed());
                if (items.size() > keep) items.remove(items.size() - 1);
            }
        }

        double worst() {
            return items.isEmpty() ? Double.NEGATIVE_INFINITY : items.get(items.size() - 1).score();
        }

        boolean done(double bestRunningSum, int generatedLength, int maxNew, String earlyStopping) {
            if (items.size() < keep) return false;
            if (earlyStopping.equals("true")) return true;
            int len = earlyStopping.equals("never") && lengthPenalty > 0 ? maxNew : generatedLength;
            double best = bestRunningSum / Math.pow(Math.max(1, len), lengthPenalty);
            return worst() >= best;
        }
    }

    private static Result beam(StepModel model, List<long[]> prompts, GenerationConfig cfg) {
        int k = cfg.numBeams();
        int batch = prompts.size();
        int rows = batch * k;
        List<long[]> rowPrompts = new ArrayList<>();
        Seq[] seqs = new Seq[rows];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < k; j++) {
                rowPrompts.add(prompts.get(b));
                seqs[b * k + j] = new Seq(model.initialSequence(prompts.get(b)));
            }
        }
        double[] beamScores = new double[rows];
        for (int r = 0; r < rows; r++) beamScores[r] = r % k == 0 ? 0 : -1e9; // identical beams: only the first is live
        Hypotheses[] hyps = new Hypotheses[batch];
        boolean[] done = new boolean[batch];
        int[] limit = new int[batch];
        for (int b = 0; b < batch; b++) {
            hyps[b] = new Hypotheses(k, cfg.lengthPenalty());
            limit[b] = limit(model, cfg, seqs[b * k].initial);
            done[b] = limit[b] == 0;
        }
        int step = 0;
        checkInterrupted(step);
        long fed = 0;
        if (!allFinished(done)) {
            try (StepModel.DecodingState state = model.start(rowPrompts)) {
                while (true) {
                    checkInterrupted(step);
                    float[][] logits = state.logits();
                    int[] sources = new int[rows];
                    long[] tokens = new long[rows];
                    double[] scores = new double[rows];
                    Seq[] nextSeqs = new Seq[rows];
                    for (int b = 0; b < batch; b++) {
                        if (done[b]) {
                            for (int j = 0; j < k; j++) {
                                int r = b * k + j;
                                sources[r] = r;
                                tokens[r] = cfg.padTokenId();
                                scores[r] = beamScores[r];
                                nextSeqs[r] = seqs[r];
                            }
                            continue;
                        }
                        int vocab = logits[b * k].length;
                        double[] candScore = new double[k * vocab];
                        for (int j = 0; j < k; j++) {
                            int r = b * k + j;
                            double[] lp = LogitsProcessing.logSoftmax(process(logits[r], seqs[r], cfg));
                            for (int v = 0; v < vocab; v++) candScore[j * vocab + v] = beamScores[r] + lp[v];
                        }
                        int[] top = topIndices(candScore, 2 * k);
                        int filled = 0;
                        for (int rank = 0; rank < top.length && filled < k; rank++) {
                            int c = top[rank];
                            int j = c / vocab;
                            long token = c % vocab;
                            int src = b * k + j;
                            if (candScore[c] == Double.NEGATIVE_INFINITY) continue;
                            if (cfg.isEos(token)) {
                                if (rank >= k) continue;
                                Seq finishedSeq = new Seq(seqs[src]);
                                finishedSeq.add(token);
                                hyps[b].add(finishedSeq.newTokens(), candScore[c]);
                                continue;
                            }
                            int r = b * k + filled++;
                            sources[r] = src;
                            tokens[r] = token;
                            scores[r] = candScore[c];
                            Seq s = new Seq(seqs[src]);
                            s.add(token);
                            nextSeqs[r] = s;
                        }
                        for (; filled < k; filled++) { // fewer live candidates than beams (tiny vocabularies)
                            int r = b * k + filled;
                            sources[r] = b * k;
                            tokens[r] = cfg.padTokenId();
                            scores[r] = Double.NEGATIVE_INFINITY;
                            nextSeqs[r] = new Seq(seqs[b * k]);
                            nextSeqs[r].add(cfg.padTokenId());
                        }
                        int generated = nextSeqs[b * k].generated();
                        boolean full = generated >= limit[b];
                        // as transformers: the best candidate score of the step, finished ones included
                        double bestCandidate = top.length == 0 ? Double.NEGATIVE_INFINITY : candScore[top[0]];
                        if (hyps[b].done(bestCandidate, generated, limit[b], cfg.earlyStopping()) || full) {
                            if (full || hyps[b].items.size() < k) {
                                for (int j = 0; j < k; j++) {
                                    int r = b * k + j;
                                    if (scores[r] != Double.NEGATIVE_INFINITY) hyps[b].add(nextSeqs[r].newTokens(), scores[r]);
                                }
                            }
                            done[b] = true;
                        }
                    }
                    seqs = nextSeqs;
                    beamScores = scores;
                    step++;
                    if (allFinished(done)) break;
                    checkInterrupted(step);
                    state.select(sources);
                    state.advance(tokens);
                }
                fed = state.tokensFed();
            }
        }
        List<List<long[]>> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            List<long[]> group = new ArrayList<>();
            for (int i = 0; i < Math.min(cfg.numReturnSequences(), hyps[b].items.size()); i++) group.add(hyps[b].items.get(i).tokens());
            while (group.size() < cfg.numReturnSequences()) group.add(new long[0]);
            out.add(group);
        }
        return new Result(out, fed);
    }

    /** Indices of the {@code n} largest values, largest first (ties: lower index first); one pass, no sort of the vocabulary. */
    static int[] topIndices(double[] values, int n) {
        int m = Math.min(n, values.length);
        int[] idx = new int[m];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (size == m && !(v > values[idx[m - 1]])) continue;
            int pos = size < m ? size++ : m - 1;
            while (pos > 0 && v > values[idx[pos - 1]]) {
                idx[pos] = idx[pos - 1];
                pos--;
            }
            idx[pos] = i;
        }
        return idx;
    }
}
