package io.pgmlsidecar.ml.transformers.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A decoder-only language model in an Optimum / transformers.js layout: {@code decoder_model_merged.onnx}
 * (past inputs and a {@code use_cache_branch} flag), a single {@code model.onnx} with past inputs, or
 * {@code decoder_model.onnx} for the prompt plus {@code decoder_with_past_model.onnx} for the steps.
 * Prompts of a batch are left-padded; position ids count the real tokens only, as transformers does.
 */
final class CausalLm implements StepModel {
    private final OrtSession first;
    private final OrtSession next;
    private final List<String> pastNames;
    private final int[] headFallback;
    private final int maxPositions;

    private CausalLm(OrtSession first, OrtSession next, List<String> pastNames, int[] headFallback, int maxPositions) {
        this.first = first;
        this.next = next;
        this.pastNames = pastNames;
        this.headFallback = headFallback;
        this.maxPositions = maxPositions;
    }

    @Override
    public int maxPositions() {
        return maxPositions;
    }

    static boolean isLayoutOf(TransformerModel model) {
        return model.onnx("decoder_model_merged.onnx", "decoder_with_past_model.onnx", "model.onnx").isPresent();
    }

    static CausalLm open(TransformerModel model, OrtSessions sessions) {
        List<OrtSession> opened = new ArrayList<>();
        try {
            OrtSession first;
            OrtSession next;
            Optional<Path> merged = model.onnx("decoder_model_merged.onnx");
            Optional<Path> withPast = model.onnx("decoder_with_past_model.onnx");
            if (merged.isPresent()) {
                first = next = OrtRuns.open(sessions, merged.get(), opened);
            } else if (withPast.isPresent()) {
                next = OrtRuns.open(sessions, withPast.get(), opened);
                first = OrtRuns.open(sessions, model.requireOnnx("decoder (no past)", "decoder_model.onnx"), opened);
            } else {
                first = next = OrtRuns.open(sessions, model.requireOnnx("decoder", "model.onnx", "decoder_model.onnx"), opened);
            }
            List<String> past = PastCache.pastInputs(next);
            if (past.isEmpty()) {
                throw new ModelFormatException("model '" + model.name() + "' has a decoder graph without past key/value"
                        + " inputs: generating with it would recompute the whole sequence per token. Export it with the"
                        + " cache, e.g. optimum-cli export onnx --task text-generation-with-past --model " + model.name());
            }
            if (!next.getInputNames().contains("input_ids") || !next.getOutputNames().contains("logits")) {
                throw new ModelFormatException("model '" + model.name() + "': the decoder graph needs an input_ids input"
                        + " and a logits output");
            }
            return new CausalLm(first, next, past, ModelShapes.heads(model.config()), ModelShapes.maxPositions(model.config()));
        } catch (OrtException e) {
            OrtRuns.closeAll(opened);
            throw new ModelFormatException("cannot inspect the decoder of '" + model.name() + "': " + e.getMessage(), e);
        } catch (RuntimeException e) {
            OrtRuns.closeAll(opened);
            throw e;
        }
    }

    @Override
    public long[] initialSequence(long[] prompt) {
        return prompt;
    }

    @Override
    public DecodingState start(List<long[]> rowPrompts) {
        State s = new State(rowPrompts.size());
        try {
            s.prefill(rowPrompts);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void close() {
        PastCache.closeQuietly(first);
        if (next != first) PastCache.closeQuietly(next);
    }

    private final class State implements DecodingState {
        private final PastCache cache = new PastCache();
        private final Set<String> wanted = new HashSet<>(pastNames);
        private long[][] mask;
        private long[] nextPosition;
        private float[][] logits;
        private long fed;

        State(int rows) {
            this.mask = new long[rows][0];
            this.nextPosition = new long[rows];
        }

        void prefill(List<long[]> prompts) {
            int rows = prompts.size();
            int len = 0;
            for (long[] p : prompts) len = Math.max(len, p.length);
            long[][] ids = new long[rows][len];
            long[][] positions = new long[rows][len];
            mask = new long[rows][len];
            for (int r = 0; r < rows; r++) {
                long[] p = prompts.get(r);
                int pad = len - p.length;
                for (int i = 0; i < len; i++) {
                    boolean real = i >= pad;
                    ids[r][i] = real ? p[i - pad] : 0;
                    mask[r][i] = real ? 1 : 0;
                    positions[r][i] = real ? i - pad : 1; // transformers fills padded positions with 1
                }
                nextPosition[r] = p.length;
            }
            try {
                if (!PastCache.pastInputs(first).isEmpty()) cache.fillEmpty(first, pastNames, rows, headFallback);
            } catch (OrtException e) {
                throw new MlException("cannot create the empty cache: " + e.getMessage(), e);
            }
            step(first, ids, positions, false);
        }

        @Override
        public void advance(long[] tokens) {
            int rows = tokens.length;
            long[][] ids = new long[rows][1];
            long[][] positions = new long[rows][1];
            for (int r = 0; r < rows; r++) {
                ids[r][0] = tokens[r];
                positions[r][0] = nextPosition[r]++;
                long[] m = java.util.Arrays.copyOf(mask[r], mask[r].length + 1);
                m[m.length - 1] = 1;
                mask[r] = m;
            }
            step(next, ids, positions, true);
        }

        private void step(OrtSession session, long[][] ids, long[][] positions, boolean cacheBranch) {
            List<OnnxTensor> made = new ArrayList<>();
            try {
                Map<String, OnnxTensor> in = new HashMap<>(cache.tensors());
                in.put("input_ids", keep(made, OrtRuns.longs(ids)));
                in.put("attention_mask", keep(made, OrtRuns.longs(mask)));
                if (session.getInputNames().contains("position_ids")) in.put("position_ids", keep(made, OrtRuns.longs(positions)));
                if (session.getInputNames().contains("use_cache_branch")) in.put("use_cache_branch", keep(made, OrtRuns.bool(cacheBranch)));
                OrtSession.Result result = OrtRuns.run(session, in);
                fed += (long) ids.length * ids[0].length;
                logits = cache.absorb(result, wanted, "the decoder graph does not output present.* for every past input " + pastNames);
            } finally {
                OrtRuns.closeAll(made);
            }
        }

        @Override
        public float[][] logits() {
            return logits;
        }

        @Override
        public void select(int[] sources) {
            cache.select(sources);
            long[][] m = new long[sources.length][];
            long[] p = new long[sources.length];
            float[][] l = new float[sources.length][];
            for (int i = 0; i < sources.length; i++) {
                m[i] = mask[sources[i]];
                p[i] = nextPosition[sources[i]];
                l[i] = logits[sources[i]];
            }
            mask = m;
            nextPosition = p;
            logits = l;
        }

        @Override
        public long tokensFed() {
            return fed;
        }

        @Override
        public void close() {
            cache.close();
        }
    }

    private static OnnxTensor keep(List<OnnxTensor> made, OnnxTensor t) {
        made.add(t);
        return t;
    }
}
