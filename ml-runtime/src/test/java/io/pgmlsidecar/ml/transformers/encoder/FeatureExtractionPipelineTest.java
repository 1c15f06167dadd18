package io.pgmlsidecar.ml.transformers.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.store.BundledModelResolver;
import io.pgmlsidecar.ml.store.LocalDirectoryResolver;
import io.pgmlsidecar.ml.store.ModelLocator;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.testmodels.WordPieceTokenizer;
import io.pgmlsidecar.testmodels.encoders.TinyFeatureEncoder;
import io.pgmlsidecar.testmodels.encoders.TinyVocab;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * feature-extraction on an encoder whose token vectors name their ids, from a model directory and
 * from a single-graph model found only on the class path (as the bundled embedding models are);
 * plus the error for a directory without a graph.
 */
class FeatureExtractionPipelineTest {
    static final String DIR_MODEL = "test/features", BUNDLED = "test/bundled-features", NO_GRAPH = "test/no-graph";

    @TempDir
    static Path tmp;
    static EncoderFixture fx;
    static URLClassLoader loader;

    @BeforeAll
    static void setUp() throws Exception {
        Path models = tmp.resolve("models");
        TinyFeatureEncoder.write(models.resolve(DIR_MODEL), 8);
        TinyFeatureEncoder.write(models.resolve(NO_GRAPH), 8);
        Files.delete(models.resolve(NO_GRAPH).resolve("model.onnx"));

        // a class path holding only a graph and a tokenizer.json, listed in a bundled-models index
        Path cp = tmp.resolve("classpath");
        TinyFeatureEncoder.graph().write(cp.resolve("tiny/features.onnx"));
        Files.writeString(cp.resolve("tiny/tokenizer.json"), TinyVocab.TOKENIZER.tokenizerJson());
        Path index = cp.resolve(BundledModelResolver.INDEX);
        Files.createDirectories(index.getParent());
        Files.writeString(index, "{\"models\": [{\"name\": \"" + BUNDLED + "\", \"onnx\": \"tiny/features.onnx\","
                + " \"tokenizer\": \"tiny/tokenizer.json\", \"pooling\": \"mean\", \"max_length\": 6}]}");
        loader = new URLClassLoader(new URL[] {cp.toUri().toURL()}, null);
        ModelLocator locator = new ModelLocator(List.of(new LocalDirectoryResolver(models), new BundledModelResolver(loader)),
                models);
        fx = new EncoderFixture(tmp, locator);
    }

    @AfterAll
    static void tearDown() throws Exception {
        fx.close();
        loader.close();
    }

    /** The expected [1, seq, dim] nest for token ids (special tokens included). */
    static JsonNode expected(int... ids) {
        List<List<List<Double>>> one = new ArrayList<>();
        List<List<Double>> tokens = new ArrayList<>();
        for (int id : ids) {
            List<Double> v = new ArrayList<>();
            for (float f : TinyFeatureEncoder.vector(id)) v.add((double) f);
            tokens.add(v);
        }
        one.add(tokens);
        return EncoderFixture.JSON.valueToTree(one);
    }

    static final int CLS = WordPieceTokenizer.CLS, SEP = WordPieceTokenizer.SEP;

    @Test
    void tokenVectorsPerInputFromADirectory() {
        JsonNode out = fx.run("feature-extraction", DIR_MODEL, null, "Paris London", "the");
        assertEquals(2, out.size());
        assertEquals(expected(CLS, TinyVocab.id("paris"), TinyVocab.id("london"), SEP), out.get(0));
        assertEquals(expected(CLS, TinyVocab.id("the"), SEP), out.get(1));
        assertTrue(out.get(0).get(0).get(1).get(0).isDouble());
    }

    @Test
    void singleGraphModelsWithoutADirectory() {
        JsonNode out = fx.run("feature-extraction", BUNDLED, null, "london");
        assertEquals(expected(CLS, TinyVocab.id("london"), SEP), out.get(0));
        // its max_length (6) truncates
        JsonNode cut = fx.run("feature-extraction", BUNDLED, null, "the the the the the the the");
        assertEquals(6, cut.get(0).get(0).size());
    }

    @Test
    void truncationAndBatching() {
        int the = TinyVocab.id("the");
        assertEquals(expected(CLS, the, the, SEP),
                fx.run("feature-extraction", DIR_MODEL, "{\"tokenize_kwargs\": {\"max_length\": 4}}", "the the the").get(0));
        assertEquals(8, fx.run("feature-extraction", DIR_MODEL, "{\"truncation\": true}", "a a a a a a a a a a").get(0).get(0).size());
        String[] inputs = {"the", "paris london the a", "good", "new york", "a a a a a a a a a a a"};
        JsonNode batch = fx.run("feature-extraction", DIR_MODEL, "{\"batch_size\": 2}", inputs);
        for (int i = 0; i < inputs.length; i++) {
            assertEquals(fx.run("feature-extraction", DIR_MODEL, null, inputs[i]).get(0), batch.get(i));
        }
    }

    @Test
    void errors() {
        var e = assertThrows(InvalidArgumentsException.class,
                () -> fx.run("feature-extraction", DIR_MODEL, "{\"pooling\": \"mean\"}", "the"));
        assertTrue(e.getMessage().contains("'pooling'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class,
                () -> fx.run("feature-extraction", DIR_MODEL, "{\"tokenize_kwargs\": {\"stride\": 2}}", "the"));
        assertTrue(e.getMessage().contains("'stride'"), e.getMessage());
        var m = assertThrows(ModelFormatException.class, () -> fx.run("feature-extraction", NO_GRAPH, null, "the"));
        assertTrue(m.getMessage().contains("model.onnx"), m.getMessage());
        m = assertThrows(ModelFormatException.class, () -> fx.run("text-classification", NO_GRAPH, null, "the"));
        assertTrue(m.getMessage().contains("model.onnx"), m.getMessage());
    }
}
