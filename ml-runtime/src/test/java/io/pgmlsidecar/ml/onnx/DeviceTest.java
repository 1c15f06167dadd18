package io.pgmlsidecar.ml.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtProvider;
import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.TinyModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code device=cuda} runs on CUDA when this ONNX Runtime build has the provider and a GPU answers,
 * and otherwise falls back to CPU (with a warning) instead of failing. Same results either way.
 */
class DeviceTest {
    @TempDir
    Path tmp;

    @Test
    void parse() {
        assertEquals(Device.CPU, Device.parse(null));
        assertEquals(Device.CPU, Device.parse("CPU"));
        assertEquals(new Device(Device.Kind.CUDA, 0), Device.parse("cuda"));
        assertEquals(new Device(Device.Kind.CUDA, 2), Device.parse("cuda:2"));
        assertEquals(Device.Kind.AUTO, Device.parse("auto").kind());
        assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
    }

    @Test
    void cudaRequestRunsOrFallsBackToCpu() throws Exception {
        TinyModel tiny = new TinyModel(5);
        Path models = tmp.resolve("models");
        tiny.writeHfLayout(models.resolve("t/dev"), false, "mean", true, 64);
        float[] expected = tiny.expected(TinyModel.ids("the", "cat"), "mean", true);
        for (String device : List.of("cuda", "auto")) {
            MlConfig cfg = MlConfig.builder(Map.of()).modelsDir(models).hfHome(tmp.resolve("hf"))
                    .workDir(tmp.resolve("work")).hubDownload(false).device(device).build();
            try (EmbeddingService svc = new EmbeddingService(cfg)) {
                assertArrayEquals(expected, svc.embed("t/dev", "the cat", Map.of()), 1e-4f);
                String used = svc.info("t/dev").orElseThrow().device();
                System.out.println("device: requested " + device + ", providers " + OrtSessions.availableProviders()
                        + ", used " + used);
                if (!OrtSessions.availableProviders().contains(OrtProvider.CUDA)) assertEquals("cpu", used);
                else assertTrue(used.equals("cpu") || used.equals("cuda:0"), used);
            }
        }
    }
}
