package io.pgmlsidecar.it.support;

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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written = true;
    }
}
