package io.pgmlsidecar.it.support;

import io.pgmlsidecar.testmodels.decoders.TinyCausalLm;
import io.pgmlsidecar.testmodels.decoders.TinySeq2Seq;
import io.pgmlsidecar.testmodels.encoders.TinyFeatureEncoder;
import io.pgmlsidecar.testmodels.encoders.TinyMaskedLm;
import io.pgmlsidecar.testmodels.encoders.TinyNer;
import io.pgmlsidecar.testmodels.encoders.TinyNli;
import io.pgmlsidecar.testmodels.encoders.TinyQuestionAnswering;
import io.pgmlsidecar.testmodels.encoders.TinySentimentClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The tiny task models of the test-models module, written once into the test sidecars' models
 * directory under {@code tiny/<name>}, as a user would place real models there.
 */
public final class TinyTaskModels {
    public static final String SENTIMENT = "tiny/sentiment";
    public static final String NER = "tiny/ner";
    public static final String QA = "tiny/qa";
    public static final String FILL_MASK = "tiny/fill-mask";
    public static final String NLI = "tiny/nli";
    public static final String FEATURES = "tiny/features";
    /** The Llama-like decoder (merged ONNX layout, with its chat template): continuations known by construction. */
    public static final String CAUSAL_LM = "tiny/causal-lm";
    /** The same decoder with {@link #SLOW_WORK}² of real matrix work per step: same answers, slow steps. */
    public static final String CAUSAL_LM_SLOW = "tiny/causal-lm-slow";
    /** The T5-like encoder-decoder: word-by-word English to French. */
    public static final String SEQ2SEQ = "tiny/seq2seq";
    /** About 2·1024³ ≈ 2 GFLOP per generation step: tens of milliseconds on a few cores. */
    public static final int SLOW_WORK = 1024;

    private static boolean written;

    private TinyTaskModels() {}

    public static synchronized void install() {
        if (written) {
            return;
        }
        Path root = TestCluster.modelsDir();
        try {
            TinySentimentClassifier.write(root.resolve(SENTIMENT), null, 64);
            TinyNer.write(root.resolve(NER), 64);
            TinyQuestionAnswering.write(root.resolve(QA), 64);
            TinyMaskedLm.write(root.resolve(FILL_MASK), 64);
            TinyNli.write(root.resolve(NLI), 64);
            TinyFeatureEncoder.write(root.resolve(FEATURES), 64);
            TinyCausalLm.write(root.resolve(CAUSAL_LM), TinyCausalLm.Layout.MERGED);
            TinyCausalLm.write(root.resolve(CAUSAL_LM_SLOW), TinyCausalLm.Layout.MERGED, SLOW_WORK);
            TinySeq2Seq.write(root.resolve(SEQ2SEQ));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written = true;
    }
}
