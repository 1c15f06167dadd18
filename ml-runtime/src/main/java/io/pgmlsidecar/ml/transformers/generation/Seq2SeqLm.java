package io.pgmlsidecar.ml.transformers.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
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
 * An encoder-decoder (T5, BART, Marian) in Optimum's layout: {@code encoder_model.onnx}, then
 * {@code decoder_model.onnx} for the start token and {@code decoder_with_past_model.onnx} for the
 * following steps, or {@code decoder_model_merged.onnx} for both. The encoder runs once per call;
 * its keys and values are taken from the first decoder step and fed back from the cache, as are the
 * decoder's own. Sources of a batch are right-padded.
 */
final class Seq2SeqLm implements StepModel {
    private final OrtSession encoder;
    private final OrtSession first;
    private final OrtSession next;
    private final List<String> pastNames;
    private final int[] headFallback;
    private final long decoderStart;

    private Seq2SeqLm(OrtSession encoder, OrtSession first, OrtSession next, List<String> pastNames, int[] headFallback,
                      long decoderStart) {
        this.encoder = encoder;
        this.first = first;
        this.next = next;
        this.pastNames = pastNames;
        this.headFallback = headFallback;
        this.decoderStart = decoderStart;
    }

    static boolean isLayoutOf(TransformerModel model) {
        return model.onnx("encoder_model.onnx").isPresent();
    }

    static Seq2SeqLm open(TransformerModel model, OrtSessions sessions, long decoderStart) {
        List<OrtSession> opened = new ArrayList<>();
        try {
            OrtSession encoder = OrtRuns.open(sessions, model.requireOnnx("encoder", "encoder_model.onnx"), opened);
            Optional<Path> merged = model.onnx("decoder_model_merged.onnx");
            OrtSession first;
            OrtSession next;
            if (merged.isPresent()) {
                first = next = OrtRuns.open(sessions, merged.get(), opened);
            } else {
                first = OrtRuns.open(sessions, model.requireOnnx("decoder", "decoder_model.onnx"), opened);
                next = OrtRuns.open(sessions, model.requireOnnx("decoder with past", "decoder_with_past_model.onnx"), opened);
            }
            List<String> past = PastCache.pastInputs(next);
            if (past.isEmpty()) {
                throw new ModelFormatException("model '" + model.name() + "' has no decoder graph with past key/value inputs"
                        + " (decoder_with_past_model.onnx or decoder_model_merged.onnx). Export it with the cache, e.g."
                        + " optimum-cli export onnx --task text2text-generation-with-past --model " + model.name());
            }
            return new Seq2SeqLm(encoder, first, next, past, ModelShapes.heads(model.config()), decoderStart);
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
        return new long[] {decoderStart};
    }

    @Override
    public DecodingState start(List<long[]> rowPrompts) {
        State s = new State();
        try {
            s.begin(rowPrompts);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void close() {
        PastCache.closeQuietly(encoder);
        PastCache.closeQuietly(first);
        if (next != first) PastCache.closeQuietly(next);
    }

    private final class State implements DecodingState {
        private final PastCache cache = new PastCache();
        private final Set<String> wanted = new HashSet<>(pastNames);
        private OnnxTensor encoderMask;
        private OnnxTensor encoderHidden;
        private float[][] logits;
        private long fed;

        void begin(List<long[]> sources) {
            int rows = sources.size();
            int len = 0;
            for (long[] s : sources) len = Math.max(len, s.length);
            long[][] ids = new long[rows][len];
            long[][] mask = new long[rows][len];
            for (int r = 0; r < rows; r++) {
                long[] s = sources.get(r);
                System.arraycopy(s, 0, ids[r], 0, s.length);
                for (int i = 0; i < s.length; i++) mask[r][i] = 1;
            }
            encoderMask = OrtRuns.longs(mask);
            try (OnnxTensor idsT = OrtRuns.longs(ids)) {
                Map<String, OnnxTensor> in = new HashMap<>();
                in.put("input_ids", idsT);
                in.put("attention_mask", encoderMask);
                try (OrtSession.Result r = OrtRuns.run(encoder, in)) {
                    Optional<OnnxValue> h = r.get("last_hidden_state");
                    if (h.isEmpty()) throw new ModelFormatException("the encoder graph has no last_hidden_state output");
                    encoderHidden = PastCache.gather((OnnxTensor) h.get(), null);
                }
            }
            try {
                if (!PastCache.pastInputs(first).isEmpty()) cache.fillEmpty(first, pastNames, rows, headFallback);
            } catch (OrtException e) {
                throw new MlException("cannot create the empty cache: " + e.getMessage(), e);
            }
            long[] start = new long[rows];
            java.util.Arrays.fill(start, decoderStart);
            step(first, start, false);
        }

        @Override
        public void advance(long[] tokens) {
            step(next, tokens, true);
        }

        private void step(OrtSession session, long[] tokens, boolean cacheBranch) {
            long[][] ids = new long[tokens.length][1];
            for (int r = 0; r < tokens.length; r++) ids[r][0] = tokens[r];
            List<OnnxTensor> made = new ArrayList<>();
            try {
                Map<String, OnnxTensor> in = new HashMap<>(cache.tensors());
                OnnxTensor idsT = OrtRuns.longs(ids);
                made.add(idsT);
                in.put("input_ids", idsT);
                in.put("encoder_attention_mask", encoderMask);
                in.put("encoder_hidden_states", encoderHidden);
                if (session.getInputNames().contains("use_cache_branch")) {
                    OnnxTensor b = OrtRuns.bool(cacheBranch);
                    made.add(b);
                    in.put("use_cache_branch", b);
                }
                OrtSession.Result result = OrtRuns.run(session, in);
                fed += tokens.length;
                logits = cache.absorb(result, wanted, "the first decoder step does not output present.* for every past input "
                            + pastNames + " of the decoder with past");
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
            OnnxTensor m = PastCache.gather(encoderMask, sources);
            OnnxTensor h = PastCache.gather(encoderHidden, sources);
            PastCache.closeQuietly(encoderMask);
            PastCache.closeQuietly(encoderHidden);
            encoderMask = m;
            encoderHidden = h;
            float[][] l = new float[sources.length][];
            for (int i = 0; i < sources.length; i++) l[i] = logits[sources[i]];
            logits = l;
        }

        @Override
        public long tokensFed() {
            return fed;
        }

        @Override
        public void close() {
            cache.close();
            PastCache.closeQuietly(encoderMask);
            PastCache.closeQuietly(encoderHidden);
        }
    }
}
