package io.pgmlsidecar.ml.transformers;

import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.HfModelDirectory;
import io.pgmlsidecar.ml.store.Lookup;
import io.pgmlsidecar.ml.store.ModelLocator;
import io.pgmlsidecar.ml.store.ModelResolver;
import io.pgmlsidecar.ml.store.ModelSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What a pipeline factory needs: the runtime's settings, where models are, how sessions are opened. */
public record PipelineContext(MlConfig config, ModelLocator locator, OrtSessions sessions) {

    /** Finds and opens a transformer model directory. */
    public TransformerModel model(String name) {
        ModelLocator.Located found = locator.locateDirectory(name);
        return TransformerModel.open(found.name(), found.dir(), found.origin());
    }

    /** A context in which {@code name} is the model in {@code dir}, and nothing else is found. */
    public PipelineContext at(String name, Path dir) {
        return new PipelineContext(config, new ModelLocator(List.of(new FixedDirectory(name, dir)), null), sessions);
    }

    /** Resolves one name to one directory (a tuned model copied out of the database). */
    private record FixedDirectory(String name, Path dir) implements ModelResolver {
        @Override
        public String describe() {
            return "model directory " + dir;
        }

        @Override
        public Optional<ModelSource> resolve(String modelName, Lookup lookup) throws IOException {
            if (!modelName.equals(name)) {
                lookup.missed(describe(), "holds only '" + name + "'");
                return Optional.empty();
            }
            return Optional.of(HfModelDirectory.open(modelName, dir, describe()));
        }

        @Override
        public Optional<Path> directory(String modelName, Lookup lookup) {
            if (!modelName.equals(name)) {
                lookup.missed(describe(), "holds only '" + name + "'");
                return Optional.empty();
            }
            return Optional.of(dir);
        }
    }
}
