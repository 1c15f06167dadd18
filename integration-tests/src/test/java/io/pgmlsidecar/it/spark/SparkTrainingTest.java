package io.pgmlsidecar.it.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.ml.tabular.TabularModel;
import io.pgmlsidecar.ml.tabular.algorithms.XgboostModel;
import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngines;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.ProxyServer;
import io.pgmlsidecar.spark.engine.SparkSettings;
import io.pgmlsidecar.spark.engine.SparkTrainingEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * pgml.train with {@code "engine": "spark"} through a sidecar whose Spark engine runs a real Spark (local[2]) in a child
 * JVM (spark-job's driver program from spark-job/target, on a JDK 17 the engine finds), reading the test PostgreSQL
 * with partitioned JDBC reads as the calling role.
 */
class SparkTrainingTest {

    private static final TestCluster CLUSTER = TestCluster.get();
    private static ProxyServer sparkSidecar;
    private static Map<String, String> settings;

    @BeforeAll
    static void startSidecarWithSpark() throws Exception {
        Path job = Path.of("..", "spark-job", "target").toAbsolutePath().normalize();
        String classpath = job.resolve("classes") + java.io.File.pathSeparator + Files.readString(job.resolve("job-classpath.txt")).trim();
        settings = Map.of("pgml.spark.master", "local[2]", "pgml.spark.job-classpath", classpath,
                "pgml.spark.jdbc-url", "jdbc:postgresql://127.0.0.1:" + CLUSTER.postgresPort() + "/",
                "pgml.spark.admin-user", "postgres", "pgml.spark.partitions", "2", "pgml.spark.auto-above-rows", "1000");
        SparkTrainingEngine engine = new SparkTrainingEngine(SparkSettings.from(settings::get).orElseThrow());
        sparkSidecar = new ProxyServer(ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", CLUSTER.postgresPort()).withEventLoopThreads(2),
                new PgmlInterceptor(SidecarServices.builder().trainingEngines(TrainingEngines.of(engine)).build())).start();
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS spark_digits");
        }
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('digits')").close();
        }
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE spark_digits AS SELECT image, target FROM pgml.digits");
            s.execute("ANALYZE spark_digits");
            s.execute("DROP TABLE IF EXISTS spark_small");
            s.execute("CREATE TABLE spark_small AS SELECT image, target FROM spark_digits LIMIT 500");
            s.execute("ANALYZE spark_small");
        }
    }

    @AfterAll
    static void stop() {
        if (sparkSidecar != null) {
            sparkSidecar.close();
        }
    }

    private static Connection sparkSession(String user) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sparkSidecar.port() + "/postgres", p);
    }

    @Test
    void digitsTrainedOnSparkScoreLikeTheLocalEngineAndServeTheBoostersOwnPredictions() throws Exception {
        double local;
        double spark;
        List<String> notices = new ArrayList<>();
        try (Connection c = sparkSession("postgres"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.train('it_spark_digits_local', 'classification', 'spark_digits', 'target', 'xgboost', "
                    + "'{\"n_estimators\": 30, \"engine\": \"local\"}')").close();
            assertTrue(notices(s).stream().noneMatch(n -> n.contains("Spark")), "\"engine\": \"local\" trains here: " + notices(s));
            // no engine named: 1,797 rows are above this sidecar's pgml.spark.auto-above-rows (1000)
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('it_spark_digits', 'classification', 'spark_digits', 'target', "
                    + "'xgboost', '{\"n_estimators\": 30}')")) {
                assertTrue(rs.next());
                assertEquals("xgboost", rs.getString("algorithm"));
                for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                    notices.add(w.getMessage());
                }
            }
            local = metric(s, "it_spark_digits_local", "accuracy");
            spark = metric(s, "it_spark_digits", "accuracy");
            try (ResultSet rs = s.executeQuery("SELECT s.analysis->>'train_samples', s.analysis->>'test_samples', m.hyperparams::text "
                    + "FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id JOIN pgml.snapshots s ON s.id = m.snapshot_id "
                    + "WHERE p.name = 'it_spark_digits'")) {
                assertTrue(rs.next());
                assertEquals("1348", rs.getString(1), "the local split rules: 1797 rows, test_size 0.25");
                assertEquals("449", rs.getString(2));
                assertTrue(!rs.getString(3).contains("engine"), "the engine is no hyperparameter of the model: " + rs.getString(3));
            }
        }
        System.out.printf("digits xgboost accuracy: local %.4f, spark local[2] %.4f%n", local, spark);
        assertTrue(local > 0.9, "local accuracy " + local);
        assertTrue(Math.abs(spark - local) <= 0.02, "spark accuracy " + spark + " vs local " + local);
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("Training on spark: spark_digits has about 1797 rows")), notices.toString());
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("Spark read 1797 rows in 2 ranges")), "progress as NOTICEs: " + notices);
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("Spark stage")), "stage progress: " + notices);
        assertNoJobRolesLeft();

        // the booster stored in pgml.files, loaded in XGBoost itself, against pgml.predict_proba served by the sidecar
        Booster booster;
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT f.data FROM pgml.files f JOIN pgml.models m ON m.id = f.model_id "
                     + "JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = 'it_spark_digits' AND f.path = 'estimator.rmp'")) {
            assertTrue(rs.next());
            XgboostModel model = (XgboostModel) TabularModel.fromBytes(rs.getBytes(1)).estimator();
            booster = XGBoost.loadModel(model.boosterBytes());
        }
        try (Connection c = sparkSession("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT x, pgml.predict('it_spark_digits', x), pgml.predict_proba('it_spark_digits', x) "
                     + "FROM (SELECT array(SELECT unnest(image))::real[] AS x FROM spark_digits) d")) {
            int rows = 0;
            while (rs.next()) {
                Float[] x = (Float[]) rs.getArray(1).getArray();
                float[] flat = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    flat[i] = x[i];
                }
                DMatrix m = new DMatrix(flat, 1, flat.length, Float.NaN);
                float[] own = booster.predict(m)[0];
                m.dispose();
                Float[] served = (Float[]) rs.getArray(3).getArray();
                int argmax = 0;
                for (int k = 0; k < own.length; k++) {
                    assertEquals(own[k], served[k], 1e-6, "row " + rows + " class " + k);
                    argmax = own[k] > own[argmax] ? k : argmax;
                }
                assertEquals(argmax, (int) rs.getFloat(2), "row " + rows);
                rows++;
            }
            assertEquals(1797, rows);
        }
    }

    @Test
    void regressionOnSparkScoresLikeTheLocalEngine() throws Exception {
        try (Connection c = sparkSession("postgres"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('diabetes')").close();
            s.executeQuery("SELECT * FROM pgml.train('it_spark_diabetes_local', 'regression', 'pgml.diabetes', 'target', 'xgboost', "
                    + "'{\"n_estimators\": 20, \"max_depth\": 3}')").close();
            s.executeQuery("SELECT * FROM pgml.train('it_spark_diabetes', 'regression', 'pgml.diabetes', 'target', 'xgboost', "
                    + "'{\"n_estimators\": 20, \"max_depth\": 3, \"engine\": \"spark\"}')").close();
            double local = metric(s, "it_spark_diabetes_local", "r2");
            double spark = metric(s, "it_spark_diabetes", "r2");
            System.out.printf("diabetes xgboost r2: local %.4f, spark local[2] %.4f%n", local, spark);
            assertTrue(local > 0.2, "local r2 " + local);
            assertTrue(Math.abs(spark - local) <= 0.05, "spark r2 " + spark + " vs local " + local);
            try (ResultSet rs = s.executeQuery("SELECT pgml.predict('it_spark_diabetes', ARRAY[0.03, 0.05, 0.06, 0.02, -0.04, -0.03, -0.04, -0.002, 0.02, -0.02])")) {
                assertTrue(rs.next());
                assertTrue(rs.getDouble(1) > 25 && rs.getDouble(1) < 346, "a prediction within the targets' range: " + rs.getDouble(1));
            }
        }
        assertNoJobRolesLeft();
    }

    @Test
    void theJobReadsWithTheCallingRolesRowLevelSecurity() throws Exception {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS spark_rls");
            s.execute("DROP ROLE IF EXISTS it_spark_rls");
            s.execute("CREATE ROLE it_spark_rls LOGIN");
            s.execute("GRANT USAGE ON SCHEMA pgml TO it_spark_rls");
            s.execute("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA pgml TO it_spark_rls");
            s.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA pgml TO it_spark_rls");
            s.execute("CREATE TABLE spark_rls AS SELECT i AS id, (i % 7)::float8 AS x, (i % 7 > 3)::int AS y FROM generate_series(1, 400) i");
            s.execute("GRANT SELECT ON spark_rls TO it_spark_rls");
            s.execute("ALTER TABLE spark_rls ENABLE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY even_rows ON spark_rls FOR SELECT TO it_spark_rls USING (id % 2 = 0)");
        }
        // the session sees 200 rows; a job reading as anyone else (the table's owner, a superuser) would see 400 and fail
        try (Connection c = sparkSession("it_spark_rls"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.train('it_spark_rls', 'classification', 'spark_rls', 'y', 'xgboost', "
                    + "'{\"n_estimators\": 5, \"engine\": \"spark\"}')").close();
            try (ResultSet rs = s.executeQuery("SELECT (s.analysis->>'samples')::int, (m.metrics->>'accuracy')::float8 FROM pgml.models m "
                    + "JOIN pgml.projects p ON p.id = m.project_id JOIN pgml.snapshots s ON s.id = m.snapshot_id WHERE p.name = 'it_spark_rls'")) {
                assertTrue(rs.next());
                assertEquals(200, rs.getInt(1));
                assertEquals(1.0, rs.getDouble(2), 1e-9, "y is a function of x");
            }
        }
        assertNoJobRolesLeft();
    }

    @Test
    void aRoleThatCannotReadTheRelationGetsPostgresqlsPermissionErrorFromTheJob() throws Exception {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS it_spark_denied");
            s.execute("CREATE ROLE it_spark_denied LOGIN");
            s.execute("GRANT USAGE ON SCHEMA pgml TO it_spark_denied");
            s.execute("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA pgml TO it_spark_denied");
            s.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA pgml TO it_spark_denied");
        }
        try (Connection c = sparkSession("it_spark_denied"); Statement s = c.createStatement()) {
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT * FROM pgml.train('it_spark_denied', "
                    + "'classification', 'spark_digits', 'target', 'xgboost', '{\"engine\": \"spark\"}')"));
            assertEquals("42501", e.getSQLState(), e.getMessage());
            assertEquals("permission denied for table spark_digits", e.getServerErrorMessage().getMessage());
            // the session goes on
            try (ResultSet rs = s.executeQuery("SELECT current_user")) {
                assertTrue(rs.next());
                assertEquals("it_spark_denied", rs.getString(1));
            }
        }
        assertNoJobRolesLeft();
    }

    @Test
    void belowTheOperatorsRowCountTrainingsThatNameNoEngineStayInTheSidecar() throws Exception {
        try (Connection c = sparkSession("postgres"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.train('it_spark_small', 'classification', 'spark_small', 'target', 'xgboost', "
                    + "'{\"n_estimators\": 10}')").close();
            assertTrue(notices(s).stream().noneMatch(n -> n.contains("Spark") || n.contains("spark:")), "500 rows train here: " + notices(s));
            // nor do what Spark does not train: another algorithm over the large table
            s.executeQuery("SELECT * FROM pgml.train('it_spark_linear', 'classification', 'spark_digits', 'target', 'linear')").close();
            assertTrue(notices(s).stream().noneMatch(n -> n.contains("Spark") || n.contains("spark:")), "linear trains here: " + notices(s));
        }
    }

    private static List<String> notices(Statement s) throws SQLException {
        List<String> out = new ArrayList<>();
        for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
            out.add(w.getMessage());
        }
        return out;
    }

    @Test
    void changesTheJobCannotSeeAreAClearErrorNotAWrongSplit() throws Exception {
        try (Connection c = sparkSession("postgres"); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("DELETE FROM spark_digits WHERE target = 0"); // uncommitted: the session sees it, the job does not
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT * FROM pgml.train('it_spark_changed', "
                    + "'classification', 'spark_digits', 'target', 'xgboost', '{\"engine\": \"spark\"}')"));
            assertEquals("55000", e.getSQLState(), e.getMessage());
            assertTrue(e.getServerErrorMessage().getMessage().startsWith("the training job read 1797 rows of spark_digits where this session reads"),
                    e.getServerErrorMessage().getMessage());
            assertTrue(e.getServerErrorMessage().getHint().contains("commit"), e.getServerErrorMessage().getHint());
            c.rollback();
        }
        assertNoJobRolesLeft();
    }

    @Test
    void aCancelKillsTheJob() throws Exception {
        try (Connection c = sparkSession("postgres"); Statement s = c.createStatement()) {
            java.util.concurrent.CompletableFuture<SQLException> training = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    s.executeQuery("SELECT * FROM pgml.train('it_spark_cancel', 'classification', 'spark_digits', 'target', 'xgboost', "
                            + "'{\"n_estimators\": 30, \"engine\": \"spark\"}')").close();
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            // cancel once the driver runs (its JVM is a child of this one, through the sidecar in this JVM)
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (driverProcesses() == 0 && System.nanoTime() < deadline && !training.isDone()) {
                Thread.sleep(100);
            }
            assertTrue(driverProcesses() > 0, "the driver started");
            Thread.sleep(1000);
            s.cancel();
            SQLException e = training.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertNotNull(e, "the training was cancelled");
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertEquals(0, driverProcesses(), "the driver is gone");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id "
                    + "WHERE p.name = 'it_spark_cancel'")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "no model of the cancelled training");
            }
        }
        assertNoJobRolesLeft();
    }

    /** Java processes below this JVM: the drivers (the test PostgreSQL's processes are not Java; /proc may not show a command line that long). */
    private static long driverProcesses() {
        return ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").endsWith("/bin/java")).count();
    }

    @Test
    void withoutASparkMasterTheEngineIsAClearError() throws Exception {
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT * FROM pgml.train('it_spark_none', "
                    + "'classification', 'spark_digits', 'target', 'xgboost', '{\"engine\": \"spark\"}')"));
            assertEquals("55000", e.getSQLState(), e.getMessage());
            assertNotNull(e.getServerErrorMessage().getHint());
            assertTrue(e.getServerErrorMessage().getHint().contains("--spark-master"), e.getServerErrorMessage().getHint());
        }
    }

    private static double metric(Statement s, String project, String key) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT (m.metrics->>'" + key + "')::float8 FROM pgml.models m JOIN pgml.projects p "
                + "ON p.id = m.project_id WHERE p.name = '" + project + "' ORDER BY m.id DESC LIMIT 1")) {
            assertTrue(rs.next());
            return rs.getDouble(1);
        }
    }

    private static void assertNoJobRolesLeft() throws SQLException {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgml\\_spark\\_%'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "the jobs' login roles are dropped when they end");
        }
    }
}
