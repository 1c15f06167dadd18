package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.algorithms.Estimator;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.data.LabelKind;
import io.pgmlsidecar.ml.tabular.preprocess.Preprocessor;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.tabular.algorithms.EstimatorFormats;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;
import io.pgmlsidecar.ml.tabular.store.StoredDocument;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.InflaterInputStream;

/**
 * A trained model: preprocessing + estimator + label mapping, ready to predict. Thread-safe for
 * prediction. {@link #toBytes()} gives the bytes stored in {@code pgml.files} (format 3, documented in
 * docs/model-format.md) and {@link #fromBytes} loads every format any build has written.
 * <p>Row inputs: values of the training relation's feature columns in order (text as String, array
 * columns as Java arrays). {@code double[][]} inputs: the flattened numeric features in the same order
 * (only for models without text features).
 * <p>{@link #predict} returns numbers as PostgresML's {@code pgml.predict} does (regression value;
 * classification: the label value for numeric labels, 0/1 for booleans, and for text labels the class
 * index in {@link #classes()} order); {@link #predictLabels} returns the label itself (Double, Boolean
 * or String). Class order: numeric labels ascending, booleans false/true, text labels sorted.
 */
public final class TabularModel implements Serializable, io.pgmlsidecar.ml.store.Weighed {
    @Serial
    private static final long serialVersionUID = 1L;
    /** Format 1: one deflate stream of the Java-serialised model (read only). */
    static final byte[] MAGIC = "PGMLSIDECAR-TABULAR-1\n".getBytes(StandardCharsets.US_ASCII);
    /** Format 2: the Java-serialised model in {@link ChunkedDeflate} parts (read only). */
    static final byte[] MAGIC_CHUNKED = "PGMLSIDECAR-TABULAR-2\n".getBytes(StandardCharsets.US_ASCII);

    private final Task task;
    private final String algorithm;
    private final Map<String, Object> hyperparams;
    private final Preprocessor preprocessor;
    private final Estimator estimator;
    private final List<String> labelNames;
    private final LabelKind labelKind;
    private final String[] classKeys;
    private final double[] classValues;

    TabularModel(Task task, String algorithm, Map<String, Object> hyperparams, Preprocessor preprocessor, Estimator estimator,
                 List<String> labelNames, LabelKind labelKind, String[] classKeys, double[] classValues) {
        this.task = task;
        this.algorithm = algorithm;
        this.hyperparams = hyperparams == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hyperparams));
        this.preprocessor = preprocessor;
        this.estimator = estimator;
        this.labelNames = labelNames == null ? List.of() : List.copyOf(labelNames);
        this.labelKind = labelKind;
        this.classKeys = classKeys;
        this.classValues = classValues;
    }

    public Task task() {
        return task;
    }

    public String algorithm() {
        return algorithm;
    }

    public Map<String, Object> hyperparams() {
        return hyperparams;
    }

    public Estimator estimator() {
        return estimator;
    }

    /** The label column (the first one of a joint model), or null for unsupervised models. */
    public String labelName() {
        return labelNames.isEmpty() ? null : labelNames.get(0);
    }

    /** All label columns (several for joint regression). */
    public List<String> labelNames() {
        return labelNames;
    }

    /** 1, or the number of targets of a joint regression model (0 when unsupervised). */
    public int numTargets() {
        return estimator instanceof io.pgmlsidecar.ml.tabular.algorithms.JointRegressor jr ? jr.numTargets() : labelNames.size();
    }

    /** pgml.predict_joint: one row per input, one value per target (regression only). */
    public double[][] predictJoint(double[][] x) {
        return joint(encode(x));
    }

    public double[][] predictJointRows(Object[][] rows) {
        return joint(encodeRows(rows));
    }

    private double[][] joint(double[][] e) {
        if (task != Task.REGRESSION) {
            throw new TabularException("predict_joint is for regression models; this is a " + task.pgName() + " model");
        }
        if (estimator instanceof io.pgmlsidecar.ml.tabular.algorithms.JointRegressor jr) {
            return jr.predictJoint(e);
        }
        double[] v = estimator.predictValues(e);
        double[][] out = new double[v.length][1];
        for (int i = 0; i < v.length; i++) {
            out[i][0] = v[i];
        }
        return out;
    }

    public LabelKind labelKind() {
        return labelKind;
    }

    /** The relation's feature columns, in training order. */
    public List<FeatureColumn> featureColumns() {
        return preprocessor.featureColumns();
    }

    /** Flattened numeric feature count (the length a {@code double[]} feature vector must have). */
    public int numFeatures() {
        return preprocessor.inputWidth();
    }

    /** Width after preprocessing (one_hot expands). */
    public int numEncodedFeatures() {
        return preprocessor.outputWidth();
    }

    public boolean hasTextFeatures() {
        return preprocessor.hasCategoricalInput();
    }

    /** Classification: the classes in order (Double, Boolean or String); empty for other tasks. */
    public List<Object> classes() {
        if (classKeys == null) {
            return List.of();
        }
        List<Object> out = new ArrayList<>(classKeys.length);
        for (int k = 0; k < classKeys.length; k++) {
            out.add(classObject(k));
        }
        return out;
    }

    public int numClasses() {
        return classKeys == null ? 0 : classKeys.length;
    }

    public boolean supportsProba() {
        return task == Task.CLASSIFICATION && estimator.supportsProba();
    }

    private Object classObject(int k) {
        return switch (labelKind) {
            case TEXT -> classKeys[k];
            case BOOLEAN -> classValues[k] != 0;
            default -> classValues[k];
        };
    }

    // ---- encoding of inputs ----

    private double[][] encode(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = preprocessor.transformNumeric(x[i]);
        }
        return out;
    }

    private double[][] encodeRows(Object[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = preprocessor.transformRow(rows[i]);
        }
        return out;
    }

    // ---- predictions ----

    public double[] predict(double[][] x) {
        return predictEncoded(encode(x));
    }

    public double[] predictRows(Object[][] rows) {
        return predictEncoded(encodeRows(rows));
    }

    public double predict(double[] x) {
        return predict(new double[][]{x})[0];
    }

    private double[] predictEncoded(double[][] e) {
        if (numTargets() > 1) {
            throw new TabularException("this model predicts " + numTargets() + " values " + labelNames + "; use predict_joint");
        }
        return switch (task) {
            case REGRESSION -> estimator.predictValues(e);
            case CLASSIFICATION -> {
                int[] c = estimator.predictClasses(e);
                double[] out = new double[c.length];
                for (int i = 0; i < c.length; i++) {
                    out[i] = labelKind == LabelKind.TEXT ? c[i] : classValues[c[i]];
                }
                yield out;
            }
            case CLUSTERING -> Arrays.stream(estimator.predictClasses(e)).asDoubleStream().toArray();
            case DECOMPOSITION -> {
                // PostgresML's predict on a decomposition model falls back to transform and returns its first value:
                // the first component; pgml.decompose gives them all
                double[][] components = estimator.transform(e);
                double[] out = new double[components.length];
                for (int i = 0; i < components.length; i++) {
                    out[i] = components[i][0];
                }
                yield out;
            }
        };
    }

    /** Labels as the user trained with: Double for numeric labels and regression, Boolean, or String. */
    public Object[] predictLabels(double[][] x) {
        return labels(encode(x));
    }

    public Object[] predictLabelsRows(Object[][] rows) {
        return labels(encodeRows(rows));
    }

    private Object[] labels(double[][] e) {
        if (task != Task.CLASSIFICATION) {
            double[] v = predictEncoded(e);
            Object[] out = new Object[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = task == Task.CLUSTERING ? (Object) (int) v[i] : (Object) v[i];
            }
            return out;
        }
        int[] c = estimator.predictClasses(e);
        Object[] out = new Object[c.length];
        for (int i = 0; i < c.length; i++) {
            out[i] = classObject(c[i]);
        }
        return out;
    }

    /** One row per input, one probability per class in {@link #classes()} order; rows sum to 1. */
    public double[][] predictProba(double[][] x) {
        checkProba();
        return estimator.predictProba(encode(x));
    }

    public double[][] predictProbaRows(Object[][] rows) {
        checkProba();
        return estimator.predictProba(encodeRows(rows));
    }

    private void checkProba() {
        if (task != Task.CLASSIFICATION) {
            throw new TabularException("You can't predict probabilities for a " + task.pgName() + " model",
                    "predict_proba works on classification projects");
        }
        if (!estimator.supportsProba()) {
            throw new TabularException("algorithm " + algorithm + " does not estimate class probabilities with these hyperparameters",
                    "svm/nu_svm: train with hyperparams => '{\"probability\": true}'; stochastic_gradient_descent: '{\"loss\": \"log_loss\"}'; "
                            + "or use linear, random_forest, extra_trees, bagging, gradient_boosting_trees, ada_boost, xgboost");
        }
    }

    /** Decomposition: the components of each vector. */
    public double[][] transform(double[][] x) {
        if (task != Task.DECOMPOSITION) {
            throw new TabularException("decompose needs a decomposition model; this is a " + task.pgName() + " model");
        }
        return estimator.transform(encode(x));
    }

    public double[][] transformRows(Object[][] rows) {
        if (task != Task.DECOMPOSITION) {
            throw new TabularException("decompose needs a decomposition model; this is a " + task.pgName() + " model");
        }
        return estimator.transform(encodeRows(rows));
    }

    // ---- bytes (docs/model-format.md) ----

    /** The format {@link #toBytes()} writes: 3 = a CBOR document of named fields per estimator. */
    public static final int FORMAT_VERSION = 3;
    /** Format 3: a documented CBOR document in {@link ChunkedDeflate} parts. */
    static final byte[] MAGIC_DOCUMENT = "PGMLSIDECAR-TABULAR-3\n".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every format's header starts so; the number after it is the format. */
    private static final byte[] FAMILY = "PGMLSIDECAR-TABULAR-".getBytes(StandardCharsets.US_ASCII);

    public byte[] toBytes() {
        byte[] document = StoredDocument.write(this::writeDocument);
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream(document.length / 3 + 64);
            bos.write(MAGIC_DOCUMENT);
            ChunkedDeflate.write(document, ChunkedDeflate.parts(document.length), new DataOutputStream(bos));
            return bos.toByteArray();
        } catch (IOException e) {
            throw new TabularException("could not store the model: " + e.getMessage(), e);
        }
    }

    private void writeDocument(StateWriter out) {
        String hyperparamsJson;
        try {
            hyperparamsJson = JSON.writeValueAsString(hyperparams);
        } catch (IOException e) {
            throw new TabularException("could not store the model's hyperparameters: " + e.getMessage(), e);
        }
        out.put("format", FORMAT_VERSION)
                .put("written_by", writtenBy())
                .put("task", task.pgName())
                .put("algorithm", algorithm)
                .put("hyperparams", hyperparamsJson)
                .put("label_names", labelNames)
                .put("label_kind", labelKind == null ? null : labelKind.name().toLowerCase(Locale.ROOT))
                .put("class_keys", classKeys)
                .put("class_values", classValues)
                .putObject("preprocessor", preprocessor::writeState)
                .putObject("estimator", e -> EstimatorFormats.write(e, estimator));
    }

    private static String writtenBy() {
        String v = TabularModel.class.getPackage().getImplementationVersion();
        return "pgml-sidecar " + (v == null ? "(development build)" : v);
    }

    private static TabularModel readDocument(StateReader in) {
        int format = in.getInt("format");
        if (format != FORMAT_VERSION) {
            throw new TabularException("the stored model's document says format " + format + " under the format-3 header",
                    "the stored bytes are damaged; retrain the project");
        }
        Map<String, Object> hyperparams;
        try {
            hyperparams = JSON.readValue(in.getString("hyperparams"), new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (IOException e) {
            throw new TabularException("the stored model's hyperparameters are not JSON: " + e.getMessage(), e);
        }
        String kind = in.getString("label_kind");
        List<String> classKeys = in.strings("class_keys");
        Estimator estimator = EstimatorFormats.read(in.object("estimator"));
        TabularModel m = new TabularModel(Task.parse(in.getString("task")), in.getString("algorithm"), hyperparams,
                Preprocessor.readState(in.object("preprocessor")), estimator, in.strings("label_names"),
                kind == null ? null : LabelKind.valueOf(kind.toUpperCase(Locale.ROOT)),
                classKeys == null ? null : classKeys.toArray(String[]::new), in.doubles("class_values"));
        estimator.afterLoad();
        return m;
    }

    /** Formats 1 and 2 (builds before format 3): Java serialisation, read through this class allow-list. */
    private static final ObjectInputFilter LEGACY_FILTER = info -> {
        Class<?> c = info.serialClass();
        if (info.depth() > 64 || info.references() > 50_000_000L) {
            return ObjectInputFilter.Status.REJECTED;
        }
        if (c == null) {
            return ObjectInputFilter.Status.UNDECIDED;
        }
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (c.isPrimitive()) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        String n = c.getName();
        if (n.startsWith("java.lang.reflect.") || n.startsWith("java.lang.invoke.") || n.startsWith("java.lang.ref.")) {
            return ObjectInputFilter.Status.REJECTED;
        }
        if (n.startsWith("io.pgmlsidecar.ml.tabular.") || n.startsWith("libsvm.") || n.startsWith("de.bwaldvogel.liblinear.")
                || n.startsWith("java.lang.") || n.startsWith("java.util.") && !n.contains("$Weak") || n.equals("java.math.BigDecimal")
                || n.equals("java.math.BigInteger")) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        return ObjectInputFilter.Status.REJECTED;
    };

    private static boolean startsWith(byte[] bytes, byte[] magic) {
        return bytes != null && bytes.length >= magic.length && Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length);
    }

    /** The size of the bytes it was read from (what SHOW MODELS and pgml_model_memory_bytes show); 0 when trained here. */
    private transient long storedBytes;

    @Override
    public long weightBytes() {
        return storedBytes;
    }

    /** Model calls served from this loaded copy (SHOW MODELS); counted by the serving side. */
    private transient java.util.concurrent.atomic.LongAdder served;

    @Override
    public Long servedCalls() {
        return served == null ? 0L : served.sum();
    }

    /** One model call (a batch of rows) was served from this copy. */
    public void countCall() {
        java.util.concurrent.atomic.LongAdder s = served;
        if (s == null) {
            synchronized (this) {
                if (served == null) {
                    served = new java.util.concurrent.atomic.LongAdder();
                }
                s = served;
            }
        }
        s.increment();
    }

    /** A model trained here was stored as {@code bytes} bytes. */
    public void storedAs(long bytes) {
        storedBytes = bytes;
    }

    @Override
    public String device() {
        Object d = hyperparams == null ? null : hyperparams.get("device");
        return d == null ? "cpu" : d.toString();
    }

    /** Reads every format a build has stored: 3 (documented CBOR), and 2 and 1 (Java serialisation). */
    public static TabularModel fromBytes(byte[] bytes) {
        TabularModel m = readStored(bytes);
        m.storedBytes = bytes.length;
        return m;
    }

    private static TabularModel readStored(byte[] bytes) {
        if (startsWith(bytes, MAGIC_DOCUMENT)) {
            ByteArrayInputStream stored = new ByteArrayInputStream(bytes, MAGIC_DOCUMENT.length, bytes.length - MAGIC_DOCUMENT.length);
            try {
                // inflated whole first, so every part's zlib checksum is verified before anything is parsed
                byte[] document;
                try (var parts = ChunkedDeflate.read(new DataInputStream(stored))) {
                    document = parts.readAllBytes();
                }
                return readDocument(StoredDocument.read(new ByteArrayInputStream(document), "the model"));
            } catch (IOException | RuntimeException e) {
                if (e instanceof TabularException t) {
                    throw t;
                }
                throw new TabularException("the stored model could not be read: " + e.getMessage(), e);
            }
        }
        boolean chunked = startsWith(bytes, MAGIC_CHUNKED);
        if (!chunked && !startsWith(bytes, MAGIC) && startsWith(bytes, FAMILY)) {
            int end = 0;
            while (FAMILY.length + end < Math.min(bytes.length, FAMILY.length + 8) && bytes[FAMILY.length + end] != '\n') {
                end++;
            }
            String format = new String(bytes, FAMILY.length, end, StandardCharsets.US_ASCII);
            throw new TabularException("the stored model has format " + format + ", which this build does not know (it reads 1 to "
                    + FORMAT_VERSION + ")", "it was stored by a newer pgml-sidecar; upgrade the sidecar, or retrain the project with this one");
        }
        if (!chunked && !startsWith(bytes, MAGIC)) {
            throw new TabularException("the stored model is not a pgml-sidecar tabular model",
                    "models trained by PostgresML itself (Python pickles) cannot be loaded; retrain the project through the sidecar");
        }
        ByteArrayInputStream stored = new ByteArrayInputStream(bytes, MAGIC.length, bytes.length - MAGIC.length);
        try (ObjectInputStream in = new ObjectInputStream(chunked ? ChunkedDeflate.read(new DataInputStream(stored))
                : new InflaterInputStream(stored))) {
            in.setObjectInputFilter(LEGACY_FILTER);
            TabularModel m = (TabularModel) in.readObject();
            m.estimator.afterLoad();
            return m;
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new TabularException("the stored model could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TabularModel{" + task.pgName() + ", " + algorithm + ", features=" + numFeatures() + ", classes=" + numClasses() + "}";
    }
}
