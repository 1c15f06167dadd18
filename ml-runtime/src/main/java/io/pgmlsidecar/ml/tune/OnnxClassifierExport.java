package io.pgmlsidecar.ml.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.pipelines.Pooling;
import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.store.ModelSource;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Writes a tuned classifier as a Hugging Face model directory that the standard text-classification
 * pipeline serves:
 * <ul>
 *   <li>{@code model.onnx}: the base encoder graph with pooling, normalization (per the base model's
 *       profile) and the head appended; its only output is {@code logits [batch, num_labels]}. The
 *       encoder graph is streamed (read twice, never held in memory), so large models are fine.</li>
 *   <li>{@code config.json}: the base config where there is one, plus {@code id2label}, {@code label2id},
 *       {@code num_labels}, {@code problem_type}, {@code architectures [XForSequenceClassification]} and a
 *       {@code pgml_sidecar_tune} block recording how the vector was pooled.</li>
 *   <li>the tokenizer: {@code tokenizer.json}, {@code tokenizer_config.json} (its {@code model_max_length}
 *       set to the length the head was trained with), {@code special_tokens_map.json} when present.</li>
 * </ul>
 */
public final class OnnxClassifierExport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private OnnxClassifierExport() {}

    /** Writes the directory (created if needed; files of the same names are replaced) and returns it. */
    public static Path write(TunedClassifier model, Path dir) {
        try {
            Files.createDirectories(dir);
            writeGraph(model, dir.resolve("model.onnx"));
            Optional<Path> baseDir = baseDirectory(model.base());
            writeConfig(model, baseDir, dir.resolve("config.json"));
            writeTokenizerFiles(model, baseDir, dir);
            return dir;
        } catch (IOException e) {
            throw new MlException("cannot write the tuned model to " + dir + ": " + e, e);
        }
    }

    /** Streams the base graph into {@code target}, dropping its outputs and appending the classifier. */
    static void writeGraph(TunedClassifier model, Path target) throws IOException {
        ModelArtifact onnx = model.base().onnx();
        EncoderGraphScan scan;
        try (InputStream in = new BufferedInputStream(onnx.open(), 1 << 16)) {
            scan = EncoderGraphScan.read(in);
        }
        if (!scan.outputs().contains(model.pooling().encoderOutput())) {
            throw new MlException("the base graph " + onnx.describe() + " has no output '" + model.pooling().encoderOutput()
                    + "' (outputs: " + scan.outputs() + ")");
        }
        byte[] appended = ClassifierHeadNodes.build(model.pooling(), model.head(), scan.inputs(), scan.defaultOpset());
        long graphLength = scan.graphLength() - scan.outputBytes() + appended.length;
        try (InputStream in = new BufferedInputStream(onnx.open(), 1 << 16);
             OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16)) {
            ProtoReader r = new ProtoReader(in);
            for (long tag; (tag = r.nextTag()) >= 0; ) {
                if (tag != (EncoderGraphScan.MODEL_GRAPH << 3 | ProtoWriter.LEN)) {
                    r.copyField(tag, out);
                    continue;
                }
                ProtoWriter.writeVarint(out, tag);
                ProtoWriter.writeVarint(out, graphLength);
                long bodyLength = r.readVarint();
                long bodyEnd = r.position() + bodyLength;
                while (r.position() < bodyEnd) {
                    long t = r.nextTag();
                    if (t == (EncoderGraphScan.GRAPH_OUTPUT << 3 | ProtoWriter.LEN)) r.skipBody(ProtoWriter.LEN);
                    else r.copyField(t, out);
                }
                out.write(appended);
            }
        }
        copyExternalData(onnx, target.getParent());
    }

    /** Graphs over 2 GB keep weights in a side file next to model.onnx; it is copied along. */
    private static void copyExternalData(ModelArtifact onnx, Path dir) throws IOException {
        if (onnx.localPath().isEmpty()) return;
        Path source = onnx.localPath().get();
        for (String suffix : List.of("_data", ".data")) {
            Path data = source.resolveSibling(source.getFileName() + suffix);
            if (Files.isRegularFile(data)) {
                Files.copy(data, dir.resolve(data.getFileName().toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Where the base model's config and tokenizer files live, when it is a directory on disk. */
    static Optional<Path> baseDirectory(ModelSource base) {
        return base.tokenizer().localPath().map(Path::getParent);
    }

    static void writeConfig(TunedClassifier model, Optional<Path> baseDir, Path target) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        Optional<Path> baseConfig = baseDir.map(d -> d.resolve("config.json")).filter(Files::isRegularFile);
        if (baseConfig.isPresent() && JSON.readTree(baseConfig.get().toFile()) instanceof ObjectNode o) config = o;
        ObjectNode c = config;
        if (!c.has("model_type")) guessModelType(model.base()).ifPresent(t -> c.put("model_type", t));
        c.putArray("architectures").add(architecture(c));
        List<String> labels = model.labels();
        ObjectNode id2label = c.putObject("id2label");
        ObjectNode label2id = c.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(Integer.toString(i), labels.get(i));
            label2id.put(labels.get(i), i);
        }
        c.put("num_labels", labels.size());
        c.put("problem_type", "single_label_classification");
        ObjectNode tune = c.putObject("pgml_sidecar_tune");
        tune.put("base_model", model.base().name());
        tune.put("encoder", "frozen");
        tune.put("encoder_output", model.pooling().encoderOutput());
        var modes = tune.putArray("pooling");
        for (Pooling p : model.pooling().modes()) modes.add(p.name().toLowerCase(Locale.ROOT));
        tune.put("normalize", model.pooling().normalize());
        tune.put("max_length", model.base().profile().maxLength());
        tune.put("text_pair", model.pairs());
        JSON.writeValue(target.toFile(), c);
    }

    /** {@code XForSequenceClassification} from the base's {@code XModel} architecture or its model_type. */
    static String architecture(JsonNode config) {
        JsonNode archs = config.path("architectures");
        if (archs.isArray() && !archs.isEmpty()) {
            String a = archs.get(0).asText();
            for (String suffix : List.of("ForSequenceClassification", "ForMaskedLM", "ForPreTraining", "Model")) {
                if (a.endsWith(suffix) && a.length() > suffix.length()) {
                    return a.substring(0, a.length() - suffix.length()) + "ForSequenceClassification";
                }
            }
        }
        String type = config.path("model_type").asText("bert");
        String prefix = switch (type) {
            case "bert" -> "Bert";
            case "roberta" -> "Roberta";
            case "xlm-roberta" -> "XLMRoberta";
            case "distilbert" -> "DistilBert";
            case "mpnet" -> "MPNet";
            case "deberta-v2" -> "DebertaV2";
            case "modernbert" -> "ModernBert";
            default -> {
                StringBuilder b = new StringBuilder();
                for (String part : type.split("[-_]")) {
                    if (!part.isEmpty()) b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
                }
                yield b.toString();
            }
        };
        return prefix + "ForSequenceClassification";
    }

    /** Without a config.json (bundled models): a WordPiece tokenizer means a BERT-family encoder. */
    private static Optional<String> guessModelType(ModelSource base) throws IOException {
        try (InputStream in = base.tokenizer().open()) {
            JsonNode tok = JSON.readTree(in);
            return "WordPiece".equals(tok.path("model").path("type").asText()) ? Optional.of("bert") : Optional.empty();
        }
    }

    static void writeTokenizerFiles(TunedClassifier model, Optional<Path> baseDir, Path dir) throws IOException {
        try (InputStream in = model.base().tokenizer().open()) {
            Files.copy(in, dir.resolve("tokenizer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        ObjectNode tokConfig = JSON.createObjectNode();
        Optional<Path> baseTokConfig = baseDir.map(d -> d.resolve("tokenizer_config.json")).filter(Files::isRegularFile);
        if (baseTokConfig.isPresent() && JSON.readTree(baseTokConfig.get().toFile()) instanceof ObjectNode o) tokConfig = o;
        // the head saw inputs truncated at the profile's length; serving must truncate the same way
        tokConfig.put("model_max_length", model.base().profile().maxLength());
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokConfig);
        Optional<Path> special = baseDir.map(d -> d.resolve("special_tokens_map.json")).filter(Files::isRegularFile);
        if (special.isPresent()) {
            Files.copy(special.get(), dir.resolve("special_tokens_map.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
