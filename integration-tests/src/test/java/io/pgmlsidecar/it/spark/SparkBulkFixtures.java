package io.pgmlsidecar.it.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.planner.bulk.BulkEngines;
import io.pgmlsidecar.planner.functions.RuntimeEmbeddingModels;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngines;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.ProxyServer;
import io.pgmlsidecar.spark.engine.SparkBulkEngine;
import io.pgmlsidecar.spark.engine.SparkSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the bulk-embedding and classification tests on Spark share: the job's class path, the documents, the comparison, the leftovers. */
final class SparkBulkFixtures {
    static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";
    /** The job's compiled classes, which the executors of a standalone cluster load from the same build. */
    static final Path JOB_CLASSES = Path.of("..", "spark-job", "target", "classes").toAbsolutePath().normalize();

    private SparkBulkFixtures() {}

    /**
     * A sidecar in this JVM in front of {@code cluster} whose bulk engine is Spark local[2] (2 block ranges, automatic
     * from 5,000 rows), embedding and transforming with the cluster's models.
     */
    static ProxyServer localSparkSidecar(TestCluster cluster) throws Exception {
        Map<String, String> settings = Map.of("pgml.spark.master", "local[2]", "pgml.spark.job-classpath", jobClasspath(),
                "pgml.spark.jdbc-url", "jdbc:postgresql://127.0.0.1:" + cluster.postgresPort() + "/",
                "pgml.spark.admin-user", "postgres", "pgml.spark.partitions", "2", "pgml.spark.auto-above-rows", "5000");
        SparkBulkEngine engine = new SparkBulkEngine(SparkSettings.from(settings::get).orElseThrow());
        return new ProxyServer(ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", cluster.postgresPort()).withEventLoopThreads(2),
                new PgmlInterceptor(SidecarServices.builder().embeddings(new RuntimeEmbeddingModels(cluster.embeddings()))
                        .transforms(TestCluster.transforms()).trainingEngines(TrainingEngines.NONE).bulkEngines(BulkEngines.of(engine))
                        .build())).start();
    }

    /** A session of {@code user} through {@code sidecar}. */
    static Connection session(ProxyServer sidecar, String user) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", user);
        return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", p);
    }

    /** The driver's class path: the job's classes and the jars spark-job's build listed. */
    static String jobClasspath() throws IOException {
        return JOB_CLASSES + java.io.File.pathSeparator + Files.readString(JOB_CLASSES.resolveSibling("job-classpath.txt")).trim();
    }

    /** {@code table (id int PRIMARY KEY, body text, e real[])} with {@code rows} texts of 10 to 40 tokens; with nulls, every 1000th body is NULL. */
    static void createDocuments(Statement s, String table, int rows, boolean withNulls) throws SQLException {
        s.execute("DROP TABLE IF EXISTS " + table);
        s.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, body text, e real[])");
        String text = "'document ' || i || ' is about '"
                + " || (ARRAY['cats', 'dogs', 'databases', 'the sea', 'spark clusters', 'tea', 'rivers'])[i % 7 + 1]"
                + " || repeat(' and more words', i % 9)";
        s.execute("INSERT INTO " + table + " (id, body) SELECT i, " + (withNulls ? "CASE WHEN i % 1000 = 7 THEN NULL ELSE " + text + " END" : text)
                + " FROM generate_series(1, " + rows + ") i");
        s.execute("ANALYZE " + table);
    }

    /**
     * Every stored vector of {@code table} equals the sidecar's own embedding of its body within 1e-5 (a NULL body has
     * a NULL vector, as in the sidecar); returns the largest difference.
     */
    static double assertEmbeddingsEqualTheSidecars(TestCluster cluster, String table, int rows) throws Exception {
        List<String> bodies = new ArrayList<>();
        List<Float[]> stored = new ArrayList<>();
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT body, e FROM " + table + " ORDER BY id")) {
            while (rs.next()) {
                bodies.add(rs.getString(1));
                stored.add(rs.getArray(2) == null ? null : (Float[]) rs.getArray(2).getArray());
            }
        }
        assertEquals(rows, bodies.size());
        float[][] local = cluster.embeddings().embed(MODEL, bodies, Map.of());
        double worst = 0;
        for (int i = 0; i < rows; i++) {
            if (bodies.get(i) == null) {
                assertNull(stored.get(i), "a NULL text gives a NULL embedding, as in the sidecar");
                continue;
            }
            assertNotNull(stored.get(i), "row " + (i + 1) + " has its embedding");
            assertEquals(local[i].length, stored.get(i).length);
            for (int j = 0; j < local[i].length; j++) {
                worst = Math.max(worst, Math.abs(local[i][j] - stored.get(i)[j]));
            }
        }
        assertTrue(worst <= 1e-5, "Spark's embeddings equal the sidecar's within 1e-5: " + worst);
        return worst;
    }

    /** The NOTICEs of the statement's last execution. */
    static List<String> warnings(Statement s) throws SQLException {
        List<String> out = new ArrayList<>();
        for (java.sql.SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
            out.add(w.getMessage());
        }
        return out;
    }

    static int stagingTables(TestCluster cluster) throws SQLException {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class WHERE relname LIKE 'pgml\\_embed\\_%' OR relname LIKE 'pgml\\_transform\\_%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** No staging table, no job role: both go once the job and the client's transaction have ended (the drop waits for it). */
    static void assertNothingLeft(TestCluster cluster) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            int roles;
            try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgml\\_spark\\_%'")) {
                rs.next();
                roles = rs.getInt(1);
            }
            int tables = stagingTables(cluster);
            if (roles == 0 && tables == 0) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, roles + " job roles and " + tables + " staging tables left");
            Thread.sleep(200);
        }
    }
}
