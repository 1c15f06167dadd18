package io.pgmlsidecar.it.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgmlsidecar.dashboard.DashboardConfig;
import io.pgmlsidecar.dashboard.DashboardServer;
import io.pgmlsidecar.it.support.ExternalProcess;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.planner.SidecarVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: Debian's headless Chromium driven by playwright-core (the
 * dashboard module's e2e script) against a dashboard whose logins go through the test sidecar to
 * the test PostgreSQL. What the browser saw is compared with the catalog; a screenshot of each page
 * is left in dashboard/target/screenshots.
 */
class DashboardBrowserTest {
    private static final TestCluster CLUSTER = TestCluster.get();
    private static final String ANALYST = TestCluster.SCRAM_USER;
    private static final String OUTSIDER = "dash_outsider";
    private static final String READER = "dash_reader";
    private static final String PROJECT = "dash_iris";
    private static final String TUNED = "dash_reviews";
    private static final String REGRESSION = "dash_diabetes";
    private static final Path DASHBOARD_MODULE = Path.of("..", "dashboard").toAbsolutePath().normalize();
    private static final Path SCREENSHOTS = DASHBOARD_MODULE.resolve("target/screenshots");

    private static SimpleMeterRegistry meters;
    private static DashboardServer dashboard;
    private static long projectId;
    private static long regressionProjectId;
    private static List<Long> modelIds;
    private static int tuningLogs;

    @BeforeAll
    static void trainAndStart() throws Exception {
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            s.execute("DELETE FROM pgml.projects WHERE name = '" + PROJECT + "'");
            s.execute("SELECT * FROM pgml.load_dataset('iris')");
            for (String algorithm : new String[] {"linear", "xgboost", "random_forest"}) {
                s.execute("SELECT * FROM pgml.train('" + PROJECT + "', 'classification', 'pgml.iris', 'target', '" + algorithm + "')");
            }
            projectId = one(s, "SELECT id FROM pgml.projects WHERE name = '" + PROJECT + "'");
            modelIds = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT id FROM pgml.models WHERE project_id = " + projectId + " ORDER BY id")) {
                while (r.next()) {
                    modelIds.add(r.getLong(1));
                }
            }
            // a regression, for the predicted-vs-actual scatter of its test split
            s.execute("DELETE FROM pgml.projects WHERE name = '" + REGRESSION + "'");
            s.execute("SELECT * FROM pgml.load_dataset('diabetes')");
            s.execute("SELECT * FROM pgml.train('" + REGRESSION + "', 'regression', 'pgml.diabetes', 'target', 'linear')");
            regressionProjectId = one(s, "SELECT id FROM pgml.projects WHERE name = '" + REGRESSION + "'");
            // a short pgml.tune run: its pgml.logs rows are the tuning page's curves
            s.execute("DELETE FROM pgml.projects WHERE name = '" + TUNED + "'");
            s.execute("DROP TABLE IF EXISTS dash_reviews; CREATE TABLE dash_reviews (text text, class text)");
            s.execute("INSERT INTO dash_reviews SELECT CASE WHEN i % 2 = 0 THEN 'the product ' || i || ' is great and works well' "
                    + "ELSE 'the product ' || i || ' broke and is awful' END, CASE WHEN i % 2 = 0 THEN 'positive' ELSE 'negative' END "
                    + "FROM generate_series(1, 40) i");
            s.execute("SELECT * FROM pgml.tune('" + TUNED + "', task => 'text-classification', relation_name => 'dash_reviews', "
                    + "model_name => 'sentence-transformers/all-MiniLM-L6-v2', test_size => 0.25, test_sampling => 'last', "
                    + "hyperparams => '{\"training_args\": {\"num_train_epochs\": 2, \"seed\": 1}, "
                    + "\"dataset_args\": {\"text_column\": \"text\", \"class_column\": \"class\"}}')");
            tuningLogs = (int) one(s, "SELECT count(*) FROM pgml.logs l JOIN pgml.projects p ON p.id = l.project_id WHERE p.name = '"
                    + TUNED + "'");
            // the analyst reads the registry and may deploy; the outsider may log in and nothing more
            s.execute("GRANT USAGE ON SCHEMA pgml TO " + ANALYST);
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA pgml TO " + ANALYST);
            s.execute("GRANT INSERT ON pgml.deployments TO " + ANALYST);
            s.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA pgml TO " + ANALYST);
            s.execute("DROP ROLE IF EXISTS " + OUTSIDER);
            s.execute("CREATE ROLE " + OUTSIDER + " LOGIN");
            s.execute("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + READER + "') THEN "
                    + "EXECUTE 'DROP OWNED BY " + READER + " CASCADE'; EXECUTE 'DROP ROLE " + READER + "'; END IF; END $$");
            s.execute("CREATE ROLE " + READER + " LOGIN");
            s.execute("GRANT USAGE ON SCHEMA pgml TO " + READER);
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA pgml TO " + READER);
        }
        meters = new SimpleMeterRegistry();
        Metrics.addRegistry(meters);
        dashboard = DashboardServer.start(DashboardConfig.of("127.0.0.1", 0, "127.0.0.1", CLUSTER.sidecarPort(), "postgres", meters));
        // a batch of predictions for the serving page's meters
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            s.execute("SELECT pgml.predict('" + PROJECT + "', ARRAY[sepal_length, sepal_width, petal_length, petal_width]) FROM pgml.iris");
        }
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
        Metrics.removeRegistry(meters);
    }

    @Test
    void aBrowserLogsInReadsTheRegistryDeploysAModelAndRunsSqlThroughTheSidecar() throws Exception {
        long deployedBefore = deployedModel();
        long toDeploy = modelIds.stream().filter(id -> id != deployedBefore).findFirst().orElseThrow();
        long other = modelIds.stream().filter(id -> id != deployedBefore && id != toDeploy).findFirst().orElseThrow();
        int deploymentsBefore = deployments();
        Files.createDirectories(SCREENSHOTS);

        ExternalProcess.Result run = ExternalProcess.run(List.of("node", "e2e/dashboard.e2e.mjs"), Map.of(
                "DASHBOARD_URL", "http://127.0.0.1:" + dashboard.port() + "/",
                "SCREENSHOTS_DIR", SCREENSHOTS.toString(),
                "ANALYST_ROLE", ANALYST, "ANALYST_PASSWORD", TestCluster.PASSWORD, "OUTSIDER_ROLE", OUTSIDER, "READER_ROLE", READER,
                "PROJECT_ID", Long.toString(projectId), "REGRESSION_PROJECT_ID", Long.toString(regressionProjectId),
                "DEPLOY_MODEL_ID", Long.toString(toDeploy),
                "OTHER_MODEL_ID", Long.toString(other)), DASHBOARD_MODULE.resolve("frontend"), Duration.ofMinutes(3));
        assertEquals(0, run.exitCode(), "the browser script failed (Chromium from bin/install-test-clients?)\n" + run);
        JsonNode seen = new ObjectMapper().readTree(run.lastLine());

        assertTrue(seen.path("wrongPassword").asText().contains("password authentication failed"), seen.toString());
        assertTrue(seen.path("projects").asText().contains(PROJECT), seen.toString());

        // one point per model of the project, each the model it stands for
        assertEquals(modelIds.size(), seen.path("chartPoints").asInt(), seen.toString());
        List<Long> charted = new ArrayList<>();
        seen.path("chartModelIds").forEach(n -> charted.add(Long.parseLong(n.asText())));
        assertEquals(modelIds, charted.stream().sorted().toList());

        // the deployed classifier's confusion matrix counts each row of its test split once (the snapshot's test_samples)
        long testRows = testSamples(deployedBefore);
        int cells = 0;
        int classes = 0;
        for (JsonNode row : seen.path("confusionCells")) {
            classes++;
            assertEquals(seen.path("confusionCells").size(), row.size(), "a square matrix: " + seen.path("confusionCells"));
            for (JsonNode cell : row) {
                cells += cell.asInt();
            }
        }
        assertEquals(3, classes, "iris has three classes: " + seen.path("confusionCells"));
        assertEquals(testRows, cells, "confusion matrix " + seen.path("confusionCells"));
        assertEquals(3, seen.path("perClassRows").asInt(), seen.toString());
        // the regression's scatter has one point per test row of its snapshot, and no confusion matrix
        long regressionTestRows = testSamples(one(CLUSTER, "SELECT id FROM pgml.models WHERE project_id = " + regressionProjectId));
        assertTrue(regressionTestRows > 100, "diabetes' test split: " + regressionTestRows);
        assertEquals(regressionTestRows, seen.path("scatterPoints").asLong(), seen.toString());
        assertEquals(Long.toString(regressionTestRows), seen.path("scatterRows").asText(), seen.toString());
        assertEquals(0, seen.path("regressionConfusion").asInt(), seen.toString());

        // the button's deployment is in the catalog, made by the analyst's own session ('specific', as pgml.deploy(id)
        // records), then the rollback button's, which brought back the model deployed before
        assertEquals(List.of(deployedBefore + " rollback", toDeploy + " specific"), latestDeployments(2));
        assertEquals(1, seen.path("deployedPoint").asInt(), "the chart marked the deployed model");
        assertTrue(seen.path("afterRollback").asText().contains("#" + deployedBefore), seen.toString());
        // the request without the CSRF token was refused and deployed nothing more
        assertEquals(403, seen.path("deployWithoutCsrfToken").asInt());
        assertEquals(deploymentsBefore + 2, deployments());

        assertTrue(seen.path("histograms").asInt() >= 4, "a histogram per numeric feature column: " + seen);
        assertTrue(seen.path("snapshotColumns").asText().contains("petal_length"), seen.toString());
        assertTrue(seen.path("serving").asText().contains("pgml.predict"), "the serving page shows the model calls: " + seen);
        assertTrue(seen.path("serving").asText().contains("pgml.models.loaded"), seen.toString());
        // the tests' in-process sidecar refreshes no per-model memory gauge (the launcher does, DashboardOptionTest checks it):
        // the page says so and shows the loaded counts instead
        assertTrue(seen.path("loadedModels").asText().contains("pgml_model_memory_bytes")
                && seen.path("loadedModels").asText().contains("tabular"), seen.toString());

        // the tune run's log rows drawn as curves, the loss among them
        assertTrue(tuningLogs >= 2, "pgml.tune wrote its logs: " + tuningLogs);
        assertTrue(seen.path("tuning").asText().contains(TUNED), seen.toString());
        assertTrue(seen.path("tuningCurves").asInt() >= 2, seen.toString());
        assertTrue(seen.path("tuningCaptions").asText().contains("loss"), seen.toString());

        // the console's statement went through the sidecar (pgml.version is the sidecar's) as the analyst
        String console = seen.path("console").asText();
        assertTrue(console.contains(SidecarVersion.get()), console);
        assertTrue(console.contains(ANALYST), console);

        // the reader sees the project but no buttons, and a deploy it sends anyway is PostgreSQL's refusal
        assertEquals(modelIds.size(), seen.path("readerChartPoints").asInt(), seen.toString());
        assertEquals(0, seen.path("readerDeployButtons").asInt(), seen.toString());
        assertEquals(403, seen.path("readerDeploy").path("status").asInt(), seen.toString());
        assertEquals("42501", seen.path("readerDeploy").path("body").path("sqlstate").asText(), seen.toString());
        assertEquals(deploymentsBefore + 2, deployments(), "the reader's attempt deployed nothing");

        // the outsider may log in but reads nothing of the registry: PostgreSQL's refusal is shown instead
        for (String page : new String[] {"outsiderProjects", "outsiderProject", "outsiderSnapshot"}) {
            String text = seen.path(page).asText();
            assertFalse(text.contains(PROJECT), page + ": " + text);
            assertFalse(text.contains("petal_length"), page + ": " + text);
            assertTrue(text.contains("42501"), page + ": " + text);
        }

        // the meters are the process's, but the project names in their tags are the registry's
        String outsiderServing = seen.path("outsiderServing").asText();
        assertTrue(outsiderServing.contains("pgml.models.loaded"), outsiderServing);
        assertFalse(outsiderServing.contains(PROJECT), outsiderServing);

        for (String shot : new String[] {"login-refused", "projects", "project", "project-deployed", "snapshot", "serving", "tuning",
                "project-rolled-back", "regression-project", "console", "reader-project", "outsider-projects", "outsider-project", "outsider-serving"}) {
            Path file = SCREENSHOTS.resolve(shot + ".png");
            assertTrue(Files.size(file) > 1000, file + " written");
        }
        assertEquals(1, dashboard.sessions(), "logging out closed the analyst's session: the outsider's is the one left");
    }

    private static long deployedModel() throws Exception {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            return one(s, "SELECT model_id FROM pgml.deployments WHERE project_id = " + projectId + " ORDER BY created_at DESC, id DESC LIMIT 1");
        }
    }

    /** "model_id strategy" of the project's latest deployments, newest first. */
    private static List<String> latestDeployments(int n) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT model_id, strategy FROM pgml.deployments WHERE project_id = " + projectId
                     + " ORDER BY created_at DESC, id DESC LIMIT " + n)) {
            while (r.next()) {
                out.add(r.getLong(1) + " " + r.getString(2));
            }
        }
        return out;
    }

    /** The test split's size recorded for a model's snapshot (pgml.snapshots.analysis.test_samples). */
    private static long testSamples(long modelId) throws Exception {
        return one(CLUSTER, "SELECT (s.analysis->>'test_samples')::bigint FROM pgml.snapshots s JOIN pgml.models m "
                + "ON m.snapshot_id = s.id WHERE m.id = " + modelId);
    }

    private static long one(TestCluster cluster, String sql) throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            return one(s, sql);
        }
    }

    private static int deployments() throws Exception {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            return (int) one(s, "SELECT count(*) FROM pgml.deployments WHERE project_id = " + projectId);
        }
    }

    private static long one(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
