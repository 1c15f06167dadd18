package io.pgmlsidecar.ml.tabular;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stored bytes' header and the errors for bytes this build cannot read. */
class StoredModelFormatTest {

    private static TabularModel linear() {
        return TabularTrainer.train(Toy.get("diabetes", "target"), TrainRequest.builder(Task.REGRESSION).algorithm("linear").build()).model();
    }

    @Test
    void writesTheCurrentFormat() {
        byte[] bytes = linear().toBytes();
        assertEquals("PGMLSIDECAR-TABULAR-" + TabularModel.FORMAT_VERSION + "\n",
                new String(bytes, 0, TabularModel.MAGIC_DOCUMENT.length, StandardCharsets.US_ASCII));
    }

    @Test
    void aNewerFormatAsksForAnUpgrade() {
        byte[] future = "PGMLSIDECAR-TABULAR-9\nwhatever".getBytes(StandardCharsets.US_ASCII);
        TabularException e = assertThrows(TabularException.class, () -> TabularModel.fromBytes(future));
        assertTrue(e.getMessage().contains("format 9"), e.getMessage());
        assertTrue(e.hint().contains("newer pgml-sidecar"), e.hint());
    }

    @Test
    void damagedBytesFailWithAMessageNotAnException() {
        byte[] bytes = linear().toBytes();
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 20);
        TabularException e = assertThrows(TabularException.class, () -> TabularModel.fromBytes(cut));
        assertTrue(e.getMessage().startsWith("the stored model could not be read"), e.getMessage());
        byte[] flipped = bytes.clone();
        flipped[flipped.length / 2 + 20] ^= 0x5a;
        assertThrows(TabularException.class, () -> TabularModel.fromBytes(flipped));
    }

    @Test
    void picklesArePointedToRetraining() {
        byte[] pickle = {(byte) 0x80, 4, (byte) 0x95, 0, 0};
        TabularException e = assertThrows(TabularException.class, () -> TabularModel.fromBytes(pickle));
        assertTrue(e.hint().contains("retrain"), e.hint());
    }

    @Test
    void hyperparametersSurviveAsJson() {
        TabularModel m = TabularTrainer.train(Toy.get("diabetes", "target"), TrainRequest.builder(Task.REGRESSION).algorithm("ridge")
                .hyperparams(Map.of("alpha", 0.5, "fit_intercept", true)).build()).model();
        assertEquals(m.hyperparams(), TabularModel.fromBytes(m.toBytes()).hyperparams());
    }

    /** docs/model-format.md documents exactly the (type, version) pairs this build reads. */
    @Test
    void theFormatDocumentListsEveryStoredType() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/model-format.md"));
        java.util.Set<String> documented = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\| `([a-z_]+)` \\|").matcher(doc);
        while (m.find()) {
            documented.add(m.group(1) + "/1");
        }
        documented.removeIf(t -> java.util.List.of("format/1", "written_by/1", "task/1", "algorithm/1", "hyperparams/1", "label_names/1",
                "label_kind/1", "class_keys/1", "class_values/1", "preprocessor/1", "estimator/1", "features/1", "widths/1", "columns/1",
                "output_names/1", "output_width/1").contains(t));
        assertEquals(io.pgmlsidecar.ml.tabular.algorithms.EstimatorFormats.readable(), documented,
                "document each stored type in docs/model-format.md (a version 2 needs its own row)");
    }
}
