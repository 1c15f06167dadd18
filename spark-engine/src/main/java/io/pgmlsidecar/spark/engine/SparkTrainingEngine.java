package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.planner.tabular.engine.EngineJob;
import io.pgmlsidecar.planner.tabular.engine.EngineJobRequest;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngine;
import java.util.LinkedHashMap;
import java.util.Map;

/** pgml.train's {@code "engine": "spark"}: each training is one driver program in its own JVM, reading as the caller. */
public final class SparkTrainingEngine extends SparkEngine implements TrainingEngine {

    public SparkTrainingEngine(SparkSettings settings) {
        super(settings);
    }

    @Override
    public EngineJob start(EngineJobRequest request) {
        var java = DriverCommand.checkedJava(settings);
        // the driver and each executor's JDBC read hold a connection; two spare
        ShortLivedRole role = ShortLivedRole.create(settings, request.database(), request.callerRole(), settings.partitions() + 3, null);
        Map<String, Object> read = new LinkedHashMap<>();
        read.put("jdbcUrl", settings.jdbcUrl(request.database()));
        read.put("user", role.name);
        read.put("password", role.password);
        read.put("role", request.callerRole());
        read.put("relation", request.relation());
        read.put("label", request.labelColumn());
        read.put("partitions", settings.partitions());
        return SparkJobProcess.start(settings, java, role, read);
    }
}
