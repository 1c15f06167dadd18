package io.pgmlsidecar.ml.tune;

import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.pipelines.Pooling;
import io.pgmlsidecar.ml.pipelines.Vectors;
import io.pgmlsidecar.ml.store.ModelProfile;
import io.pgmlsidecar.ml.store.ModelSource;
import io.pgmlsidecar.ml.tokenize.TextTokenizer;
import io.pgmlsidecar.ml.tokenize.TokenizedText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The pretrained encoder, never updated: turns texts and text pairs into pooled sentence vectors with
 * the model's own pooling and normalization (its sentence-transformers profile). Pairs are tokenized
 * as tokenizer pairs ({@code [CLS] a [SEP] b [SEP]}, token type ids 0/1), like transformers does for
 * sequence classification. Not thread-safe (one tuning run owns it).
 */
public final class FrozenEncoder implements AutoCloseable {
    private static final int BATCH = 32;

    private final ModelSource source;
    private final TextTokenizer tokenizer;
    private final OnnxEncoder encoder;
    private SentencePooling pooling;

    private FrozenEncoder(ModelSource source, TextTokenizer tokenizer, OnnxEncoder encoder) {
        this.source = source;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
    }

    public static FrozenEncoder open(ModelSource source, OrtSessions sessions) {
        ModelProfile profile = source.profile();
        boolean extraModules = !profile.unsupportedModules().isEmpty();
        for (Pooling p : profile.pooling()) {
            if (!SentencePooling.EXPORTABLE.contains(p)) {
                throw new ModelFormatException("model '" + source.name() + "' pools with " + p
                        + "; fine-tuning supports base models that pool with " + SentencePooling.EXPORTABLE);
            }
        }
        TextTokenizer tok = null;
        try {
            tok = TextTokenizer.load(source.tokenizer(), profile.maxLength(), profile.padToken());
            byte[] bytes = source.onnx().localPath().isPresent() ? null : source.onnx().readAllBytes();
            OnnxEncoder enc = new OnnxEncoder(sessions.open(source.onnx(), bytes),
                    "model '" + source.name() + "' (" + source.origin() + ")", extraModules);
            if (extraModules && !enc.pooledOutput()) {
                enc.close();
                throw new ModelFormatException("model '" + source.name() + "' has sentence-transformers modules "
                        + profile.unsupportedModules() + " that its ONNX graph does not include");
            }
            return new FrozenEncoder(source, tok, enc);
        } catch (IOException e) {
            if (tok != null) tok.close();
            throw new MlException("cannot load model '" + source.name() + "': " + e, e);
        } catch (RuntimeException e) {
            if (tok != null) tok.close();
            throw e;
        }
    }

    public ModelSource source() {
        return source;
    }

    /** The pooling description; known after the first {@link #encode} call. */
    public SentencePooling pooling() {
        if (pooling == null) encode(List.of(LabeledText.of("", "")));
        return pooling;
    }

    /** Pooled (and, per profile, normalized) vectors of the examples' texts, in input order. */
    public float[][] encode(List<LabeledText> examples) {
        List<TokenizedText> toks = new ArrayList<>(examples.size());
        for (LabeledText e : examples) {
            toks.add(e.isPair() ? tokenizer.encodePair(e.text(), e.textPair()) : tokenizer.encode(e.text()));
        }
        Integer[] order = new Integer[toks.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        // similar lengths per batch: less padding, faster
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -toks.get(i).length()));
        float[][] out = new float[toks.size()][];
        for (int start = 0; start < order.length; start += BATCH) {
            TuningCancelledException.checkInterrupt();
            int end = Math.min(order.length, start + BATCH);
            List<long[]> ids = new ArrayList<>(end - start);
            List<long[]> types = new ArrayList<>(end - start);
            for (int k = start; k < end; k++) {
                ids.add(toks.get(order[k]).ids());
                types.add(toks.get(order[k]).typeIds());
            }
            OnnxEncoder.Output o = encoder.run(ids, types, tokenizer.padId());
            for (int k = start; k < end; k++) {
                out[order[k]] = pool(o, k - start, toks.get(order[k]).length());
            }
        }
        return out;
    }

    private float[] pool(OnnxEncoder.Output o, int row, int length) {
        ModelProfile profile = source.profile();
        if (pooling == null) {
            pooling = new SentencePooling(encoder.outputName(), o.pooled(), profile.pooling(), profile.normalize(), o.dim());
        }
        float[] v;
        if (o.pooled()) {
            v = Arrays.copyOfRange(o.data(), row * o.dim(), (row + 1) * o.dim());
        } else {
            List<Pooling> modes = profile.pooling();
            v = new float[o.dim() * modes.size()];
            for (int m = 0; m < modes.size(); m++) modes.get(m).pool(o.data(), row, o.seq(), o.dim(), length, v, m * o.dim());
        }
        if (profile.normalize()) Vectors.normalize(v);
        return v;
    }

    @Override
    public void close() {
        try {
            encoder.close();
        } finally {
            tokenizer.close();
        }
    }
}
