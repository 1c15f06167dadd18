package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.planner.bulk.BulkEmbedJob;
import io.pgmlsidecar.planner.bulk.BulkEmbedRequest;
import io.pgmlsidecar.planner.bulk.EmbeddingEngine;
import io.pgmlsidecar.planner.bulk.EmbeddingModelFiles;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code UPDATE t SET e = pgml.embed(m, body, '{"engine": "spark"}')}: each update is one run of spark-job's
 * {@code EmbedJob} in its own JVM, reading as the caller with a short-lived login role, filling a staging table that the
 * session then applies (decision 34a).
 */
public final class SparkEmbeddingEngine implements EmbeddingEngine {

    private final SparkSettings settings;

    public SparkEmbeddingEngine(SparkSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public long automaticAboveRows() {
        return settings.automaticAboveRows();
    }

    @Override
    public BulkEmbedJob start(BulkEmbedRequest request) {
        var java = DriverCommand.checkedJava(settings);
        Path modelDir = null;
        ShortLivedRole role = null;
        try {
            modelDir = Files.createTempDirectory(Files.createDirectories(settings.workDir()), "pgml-spark-model-");
            EmbeddingModelFiles m = request.model();
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("onnx", localFile(m.onnx(), modelDir.resolve("model.onnx")).toString());
            model.put("tokenizer", localFile(m.tokenizer(), modelDir.resolve("tokenizer.json")).toString());
            model.put("maxLength", m.maxLength());
            model.put("padToken", m.padToken());
            model.put("pooling", m.pooling());
            model.put("normalize", m.normalize());
            model.put("preferPooledOutput", m.preferPooledOutput());
            model.put("prompt", m.prompt());
            model.put("truncateDim", m.truncateDim());
            model.put("normalizeAfter", m.normalizeAfter());
            model.put("batchSize", m.batchSize());
            // the driver, and per task a reading and a writing connection; two spare
            role = ShortLivedRole.create(settings, request.database(), request.callerRole(), 2 * settings.partitions() + 3);
            Map<String, Object> embed = new LinkedHashMap<>();
            embed.put("jdbcUrl", settings.jdbcUrl(request.database()));
            embed.put("user", role.name);
            embed.put("password", role.password);
            embed.put("role", request.callerRole());
            embed.put("relation", request.relation());
            embed.put("from", request.from());
            embed.put("reference", request.reference());
            embed.put("text", request.text());
            embed.put("where", request.where());
            embed.put("staging", request.staging());
            embed.put("partitions", settings.partitions());
            embed.put("model", model);
            StagingTable staging = new StagingTable(settings.jdbcUrl(request.database()), role, request.callerRole(), request.staging());
            SparkJobProcess process = SparkJobProcess.start(settings, java, role, "io.pgmlsidecar.spark.job.EmbedJob", Map.of("embed", embed));
            return new SparkEmbedJob(process, staging, modelDir);
        } catch (IOException e) {
            if (role != null) {
                role.close();
            }
            SparkEmbedJob.removeQuietly(modelDir);
            throw new PgException("58030", "the spark engine could not hand the model files to the job: " + e.getMessage(),
                    "Check --spark-work-dir (it needs room for the model's files).");
        } catch (RuntimeException e) {
            SparkEmbedJob.removeQuietly(modelDir);
            throw e;
        }
    }

    /**
     * A file the executors can open: the sidecar's own file as is (a real cluster needs it at the same path on every
     * executor: a shared models directory), a model inside a jar (the bundled ones) written out for this job.
     */
    private static Path localFile(ModelArtifact artifact, Path copy) throws IOException {
        if (artifact.localPath().isPresent()) {
            return artifact.localPath().get();
        }
        try (InputStream in = artifact.open()) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }
}
