package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.transformers.ClassifierFiles;
import io.pgmlsidecar.planner.bulk.BulkJob;
import io.pgmlsidecar.planner.bulk.BulkRequest;
import io.pgmlsidecar.planner.bulk.BulkEngine;
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
 * {@code UPDATE t SET e = pgml.embed(m, body, '{"engine": "spark"}')} and {@code UPDATE t SET c =
 * pgml.transform('text-classification', '{"engine": "spark"}', ARRAY[body])}: each update is one run of spark-job's
 * {@code BulkJob} in its own JVM, reading as the caller with a short-lived login role, filling a staging table that the
 * session then applies (decision 34a).
 */
public final class SparkBulkEngine extends SparkEngine implements BulkEngine {

    public SparkBulkEngine(SparkSettings settings) {
        super(settings);
    }

    @Override
    public BulkJob start(BulkRequest request) {
        var java = DriverCommand.checkedJava(settings);
        Path modelDir = null;
        ShortLivedRole role = null;
        try {
            boolean classify = request.classifier() != null;
            Map<String, Object> model;
            if (classify) {
                model = classifier(request.classifier());
            } else {
                modelDir = Files.createTempDirectory(Files.createDirectories(settings.workDir()), "pgml-spark-model-");
                model = embedding(request.embedding(), modelDir);
            }
            // the driver, and per task a reading and a writing connection; two spare
            role = ShortLivedRole.create(settings, request.database(), request.callerRole(), 2 * settings.partitions() + 3, request.staging());
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("jdbcUrl", settings.jdbcUrl(request.database()));
            job.put("user", role.name);
            job.put("password", role.password);
            job.put("role", request.callerRole());
            job.put("relation", request.relation());
            job.put("from", request.from());
            job.put("reference", request.reference());
            job.put("text", request.text());
            job.put("where", request.where());
            job.put("staging", request.staging());
            job.put("partitions", settings.partitions());
            job.put("model", model);
            StagingTable staging = new StagingTable(settings.jdbcUrl(request.database()), role, request.callerRole(), request.staging());
            SparkJobProcess process = SparkJobProcess.start(settings, java, role, "io.pgmlsidecar.spark.job.BulkJob", Map.of("bulk", job));
            return new SparkBulkJob(process, staging, modelDir, classify ? "classified" : "embedded");
        } catch (IOException e) {
            if (role != null) {
                role.close();
            }
            SparkBulkJob.removeQuietly(modelDir);
            throw new PgException("58030", "the spark engine could not hand the model files to the job: " + e.getMessage(),
                    "Check --spark-work-dir (it needs room for the model's files).");
        } catch (RuntimeException e) {
            SparkBulkJob.removeQuietly(modelDir);
            throw e;
        }
    }

    private static Map<String, Object> embedding(EmbeddingModelFiles m, Path modelDir) throws IOException {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("kind", "embedding");
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
        return model;
    }

    /** A text or token classifier's files (a model directory: the same paths on a cluster's executors) and its read arguments. */
    private static Map<String, Object> classifier(ClassifierFiles c) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("kind", c.task());
        model.put("onnx", c.onnx().toAbsolutePath().toString());
        model.put("tokenizer", c.tokenizer().toAbsolutePath().toString());
        model.put("maxLength", c.tokenizerMaxLength());
        model.put("padToken", c.padToken());
        model.put("truncateAt", c.truncateAt());
        model.put("batchSize", c.batchSize());
        if (c.textHead() != null) {
            model.put("labels", c.textHead().labels());
            model.put("function", c.textHead().function());
            model.put("topK", c.textHead().topK());
            model.put("legacy", c.textHead().legacy());
        } else {
            model.put("labels", c.tokenHead().labels());
            model.put("aggregation", c.tokenHead().strategy().name());
            model.put("ignore", c.tokenHead().ignore());
            model.put("stride", c.tokenHead().stride());
            model.put("subwordPrefix", c.tokenHead().subwordPrefix());
            model.put("unkToken", c.tokenHead().unkToken());
        }
        return model;
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
