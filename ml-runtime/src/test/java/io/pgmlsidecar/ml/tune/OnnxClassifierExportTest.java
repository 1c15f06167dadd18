package io.pgmlsidecar.ml.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.TinyModel;
import io.pgmlsidecar.ml.pipelines.Pooling;
import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.store.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exported graph computes exactly what the head computes on the Java-pooled vectors. */
class OnnxClassifierExportTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} normalize={1} pairs={2} classes={3}")
    @CsvSource({"MEAN,true,false,2", "MEAN,false,false,3", "CLS,true,false,2", "CLS,false,false,3",
            "MEAN,true,true,2", "MEAN,false,true,2", "CLS,true,true,2", "CLS,false,true,2"})
    void exportedLogitsMatchHeadOnJavaPooledVectors(Pooling pooling, boolean normalize, boolean pairs, int classes)
            throws Exception {
        ModelSource base = TuneFixtures.tinyBase(tmp.resolve("base"), pooling, normalize);
        List<LabeledText> train = pairs ? TuneFixtures.pairs(60, 1) : TuneFixtures.sentiment(60, 1, classes);
        List<LabeledText> probe = pairs ? TuneFixtures.pairs(40, 2) : TuneFixtures.sentiment(40, 2, classes);
        TunedClassifier model = new ClassificationTuner(TuneFixtures.SESSIONS).tune(base, train, List.of(),
                TuneFixtures.args("{\"learning_rate\": 0.05, \"num_train_epochs\": 3, \"seed\": 3}"), null);
        Path dir = OnnxClassifierExport.write(model, tmp.resolve("out"));

        float[][] java;
        try (FrozenEncoder enc = FrozenEncoder.open(base, TuneFixtures.SESSIONS)) {
            java = enc.encode(probe);
        }
        try (ExportedClassifier exported = ExportedClassifier.open(dir, TuneFixtures.SESSIONS)) {
            assertEquals(model.labels(), exported.labels());
            float[][] logits = exported.logits(probe);
            double maxDiff = 0;
            for (int i = 0; i < probe.size(); i++) {
                double[] expected = model.head().logits(java[i]);
                assertEquals(classes, logits[i].length);
                for (int c = 0; c < classes; c++) maxDiff = Math.max(maxDiff, Math.abs(expected[c] - logits[i][c]));
            }
            assertTrue(maxDiff < 1e-4, "max |graph - head| = " + maxDiff);
            // the logits compared are not all alike (the tiny model has no attention, so its CLS vector is
            // the same for every input: only mean pooling sees the words)
            if (pooling == Pooling.MEAN) {
                double spread = 0;
                for (float[] l : logits) spread = Math.max(spread, Math.abs(l[0] - logits[0][0]));
                assertTrue(spread > 1e-3, "logits do not depend on the input: " + spread);
            }
        }
    }

    @Test
    void javaPoolingIsTheBaseModelsOwn() throws Exception {
        ModelSource base = TuneFixtures.tinyBase(tmp.resolve("base"), Pooling.MEAN, true);
        try (FrozenEncoder enc = FrozenEncoder.open(base, TuneFixtures.SESSIONS)) {
            float[] v = enc.encode(List.of(LabeledText.of("the cat sat", "x")))[0];
            assertArrayEquals(TuneFixtures.TINY.expected(TinyModel.ids("the", "cat", "sat"), "mean", true), v, 1e-5f);
            assertEquals(TinyModel.DIM, enc.pooling().vectorSize());
        }
    }

    @Test
    void directoryHasHuggingFaceLayoutWithSortedLabelsAndOnlyLogitsOutput() throws Exception {
        ModelSource base = TuneFixtures.tinyBase(tmp.resolve("base"), Pooling.MEAN, true);
        List<LabeledText> train = new ArrayList<>(TuneFixtures.sentiment(30, 4, 3));
        TunedClassifier model = new ClassificationTuner(TuneFixtures.SESSIONS).tune(base, train, List.of(),
                TrainingArguments.defaults(), null);
        Path dir = OnnxClassifierExport.write(model, tmp.resolve("out"));
        for (String f : List.of("model.onnx", "config.json", "tokenizer.json", "tokenizer_config.json")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals(List.of("excited", "negative", "positive"), model.labels());
        assertEquals("excited", config.path("id2label").path("0").asText());
        assertEquals(2, config.path("label2id").path("positive").asInt());
        assertEquals(3, config.path("num_labels").asInt());
        assertEquals("single_label_classification", config.path("problem_type").asText());
        assertEquals("BertForSequenceClassification", config.path("architectures").path(0).asText());
        assertEquals("bert", config.path("model_type").asText()); // kept from the base config
        assertEquals(TinyModel.DIM, config.path("hidden_size").asInt());
        assertEquals(16, new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile()).path("model_max_length").asInt());
        try (OrtSession s = TuneFixtures.SESSIONS.open(ModelArtifact.file(dir.resolve("model.onnx"))).session()) {
            assertEquals(Set.of("logits"), s.getOutputNames());
            assertEquals(Set.of("input_ids", "attention_mask", "token_type_ids"), s.getInputNames());
        }
    }

    @Test
    void architectureNames() {
        ObjectMapper m = new ObjectMapper();
        assertEquals("RobertaForSequenceClassification",
                OnnxClassifierExport.architecture(m.createObjectNode().put("model_type", "roberta")));
        var withArch = m.createObjectNode();
        withArch.putArray("architectures").add("XLMRobertaModel");
        assertEquals("XLMRobertaForSequenceClassification", OnnxClassifierExport.architecture(withArch));
        assertEquals("NomicBertForSequenceClassification",
                OnnxClassifierExport.architecture(m.createObjectNode().put("model_type", "nomic_bert")));
    }
}
