package io.pgmlsidecar.ml.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.store.ModelArtifact;
import java.io.IOException;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ONNX Runtime sessions on the configured {@link Device}. CUDA needs the GPU build of ONNX
 * Runtime ({@code -Pcuda}: {@code onnxruntime_gpu}), a driver and the CUDA/cuDNN libraries; when any of
 * that is missing a {@code cuda} request falls back to CPU with a warning.
 */
public final class OrtSessions {
    private static final Logger log = LoggerFactory.getLogger(OrtSessions.class);

    private final Device device;
    private final int intraOpThreads;
    /** Why CUDA failed once; later sessions then go straight to CPU. */
    private volatile String cudaFailure;

    /** A session and the device it actually runs on. */
    public record Opened(OrtSession session, Device device) {}

    public OrtSessions(Device device, int intraOpThreads) {
        this.device = device;
        this.intraOpThreads = intraOpThreads;
    }

    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    public static EnumSet<OrtProvider> availableProviders() {
        return OrtEnvironment.getAvailableProviders();
    }

    public Device device() {
        return device;
    }

    public Opened open(ModelArtifact onnx) throws IOException {
        return open(onnx, null);
    }

    /**
     * @param bytes the graph already read into memory (class path resources), or null to let ONNX
     *              Runtime read the file itself (memory-mapped, with external data next to it)
     */
    public Opened open(ModelArtifact onnx, byte[] bytes) throws IOException {
        OrtEnvironment env = environment();
        if (device.kind() != Device.Kind.CPU) {
            boolean warn = device.kind() == Device.Kind.CUDA;
            if (cudaFailure != null) {
                log.debug("CUDA unavailable ({}); running {} on CPU", cudaFailure, onnx.describe());
            } else if (!availableProviders().contains(OrtProvider.CUDA)) {
                cudaFailure = "no CUDA provider in this ONNX Runtime build";
                if (warn) {
                    log.warn("device {} requested but this ONNX Runtime build has no CUDA provider (providers: {});"
                            + " build with -Pcuda for onnxruntime_gpu. Running {} on CPU.", device, availableProviders(),
                            onnx.describe());
                }
            } else {
                int index = device.kind() == Device.Kind.CUDA ? device.index() : 0;
                try (OrtSession.SessionOptions opts = options()) {
                    opts.addCUDA(index);
                    return new Opened(create(env, onnx, bytes, opts), new Device(Device.Kind.CUDA, index));
                } catch (OrtException | RuntimeException e) {
                    cudaFailure = String.valueOf(e.getMessage());
                    if (warn) {
                        log.warn("CUDA device {} unavailable ({}); running {} on CPU", index, e.getMessage(), onnx.describe());
                    } else {
                        log.info("no usable CUDA device ({}); running {} on CPU", e.getMessage(), onnx.describe());
                    }
                }
            }
        }
        try (OrtSession.SessionOptions opts = options()) {
            return new Opened(create(env, onnx, bytes, opts), Device.CPU);
        } catch (OrtException e) {
            throw new ModelFormatException("ONNX Runtime cannot load " + onnx.describe() + ": " + e.getMessage(), e);
        }
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (intraOpThreads > 0) opts.setIntraOpNumThreads(intraOpThreads);
        return opts;
    }

    private static OrtSession create(OrtEnvironment env, ModelArtifact onnx, byte[] bytes,
                                     OrtSession.SessionOptions opts) throws OrtException, IOException {
        if (bytes != null) return env.createSession(bytes, opts);
        if (onnx.localPath().isPresent()) {
            return env.createSession(onnx.localPath().get().toString(), opts);
        }
        return env.createSession(onnx.readAllBytes(), opts);
    }
}
