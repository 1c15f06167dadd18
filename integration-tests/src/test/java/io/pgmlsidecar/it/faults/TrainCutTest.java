package io.pgmlsidecar.it.faults;

import static io.pgmlsidecar.it.faults.Faults.assertConnectionFailure;
import static io.pgmlsidecar.it.faults.Faults.assertServerReportedConnectionFailure;
import static io.pgmlsidecar.it.faults.Faults.directLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.FaultyRelay.Direction;
import io.pgmlsidecar.it.support.NoBufferLeaks;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgml.train broken off — the link to PostgreSQL cut, or the client killed — at the registry
 * writes: nothing half-written stays (no model without its file, no deployment without its model,
 * no model of a train that failed), and training again works.
 */
@ExtendWith(NoBufferLeaks.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TrainCutTest {

    private static final String TRAIN = "SELECT * FROM pgml.train('%s', 'classification', 'pgml.iris', 'target', 'xgboost')";

    @Test
    void upstreamCutAsTheModelIsRecordedLeavesNoModel() throws Exception {
        String project = "it_faults_train_cut";
        try (FaultyUpstream up = new FaultyUpstream()) {
            loadIris(up);
            up.relay.cutOnPattern(Direction.TO_SERVER, "INSERT INTO pgml.models");
            Connection c = up.connect("it_faults_train_cut");
            try (Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(TRAIN.formatted(project)).close());
                assertServerReportedConnectionFailure(e);
            } finally {
                Faults.closeBroken(c);
            }
            Faults.awaitNoBackends("it_faults_train_cut");
            assertEquals(0, modelsOf(project), "the statement that records the model never reached PostgreSQL");
            assertRegistryConsistent(project);
            assertEveryModelDeployed(project);
            up.relay.restore();
            assertTrainsAndPredicts(up, project);
        }
    }

    @ParameterizedTest(name = "client killed as the sidecar sends {0}")
    @ValueSource(strings = {"INSERT INTO pgml.snapshots", "INSERT INTO pgml.models"})
    void clientKilledMidTrainingLeavesTheRegistryConsistent(String when) throws Exception {
        String project = "it_faults_train_kill_" + (when.contains("models") ? "record" : "snapshot");
        try (FaultyUpstream up = new FaultyUpstream()) {
            loadIris(up);
            up.relay.whenPattern(Direction.TO_SERVER, when, () -> {
                try {
                    up.clientSide().cutAll();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Connection c = up.connectThroughClientSide("it_faults_train_kill");
            try (Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(TRAIN.formatted(project)).close());
                assertConnectionFailure(e);
            } finally {
                Faults.closeBroken(c);
            }
            assertTrue(up.relay.fired(Direction.TO_SERVER), "the client was killed at " + when);
            Faults.awaitNoBackends("it_faults_train_kill");
            assertTrue(modelsOf(project) <= 1, "at most the one model, written whole or not at all");
            assertRegistryConsistent(project);
            assertEveryModelDeployed(project);
            assertTrainsAndPredicts(up, project);
        }
    }

    private static void loadIris(FaultyUpstream up) throws SQLException {
        try (Connection c = up.connect("it_faults_train_setup"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
        }
    }

    private static long modelsOf(String project) throws SQLException {
        return directLong("SELECT count(*) FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = '" + project + "'");
    }

    /** Every model of the project has its file; every deployment names a model of the project; snapshots are whole. */
    private static void assertRegistryConsistent(String project) throws SQLException {
        String ofProject = " JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = '" + project + "'";
        assertEquals(0, directLong("SELECT count(*) FROM pgml.models m" + ofProject
                + " AND NOT EXISTS (SELECT 1 FROM pgml.files f WHERE f.model_id = m.id AND length(f.data) > 0)"), "a model without its file");
        assertEquals(0, directLong("SELECT count(*) FROM pgml.deployments d JOIN pgml.projects p ON p.id = d.project_id "
                + "WHERE p.name = '" + project + "' AND NOT EXISTS (SELECT 1 FROM pgml.models m WHERE m.id = d.model_id "
                + "AND m.project_id = d.project_id)"), "a deployment of a missing model");
    }

    /** The first train of a new project deploys its model: a model recorded without its deployment was half-written. */
    private static void assertEveryModelDeployed(String project) throws SQLException {
        String ofProject = " JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = '" + project + "'";
        assertEquals(directLong("SELECT count(*) FROM pgml.models m" + ofProject),
                directLong("SELECT count(DISTINCT d.model_id) FROM pgml.deployments d JOIN pgml.models m ON m.id = d.model_id" + ofProject),
                "each model trained with automatic deploy on a new project is deployed with it, or not written at all");
    }

    private static void assertTrainsAndPredicts(FaultyUpstream up, String project) throws SQLException {
        try (Connection c = up.connect("it_faults_train_again"); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(TRAIN.formatted(project))) {
                assertTrue(rs.next());
                assertEquals(project, rs.getString("project"));
            }
            try (ResultSet rs = s.executeQuery("SELECT pgml.predict('" + project + "', ARRAY[5.1, 3.5, 1.4, 0.2]::real[])")) {
                assertTrue(rs.next());
                assertEquals(0f, rs.getFloat(1), "setosa");
            }
        }
        assertRegistryConsistent(project);
    }
}
