package io.pgmlsidecar.dashboard;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The deploy and rollback buttons: {@code pgml.deploy} called on the role's connection through the
 * sidecar, exactly as the role could call it from psql, so PostgreSQL's grants on the registry decide.
 */
final class ModelDeployments {
    private ModelDeployments() {}

    /** Deploys one model of the project (strategy 'specific'). */
    static ObjectNode deploy(Connection c, long projectId, long modelId) throws SQLException {
        requireModelOf(c, projectId, modelId);
        try (PreparedStatement s = c.prepareStatement("SELECT * FROM pgml.deploy(?::bigint)")) {
            s.setLong(1, modelId);
            return answer(s);
        }
    }

    /** Goes back to the model deployed before the current one (strategy 'rollback'). */
    static ObjectNode rollback(Connection c, long projectId) throws SQLException {
        String name = projectName(c, projectId);
        try (PreparedStatement s = c.prepareStatement("SELECT * FROM pgml.deploy(?, 'rollback')")) {
            s.setString(1, name);
            return answer(s);
        }
    }

    private static String projectName(Connection c, long projectId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT name FROM pgml.projects WHERE id = ?")) {
            s.setLong(1, projectId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw ApiError.notFound("project " + projectId);
                }
                return r.getString(1);
            }
        }
    }

    private static void requireModelOf(Connection c, long projectId, long modelId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pgml.models WHERE id = ? AND project_id = ?")) {
            s.setLong(1, modelId);
            s.setLong(2, projectId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw ApiError.notFound("model " + modelId + " of project " + projectId);
                }
            }
        }
    }

    private static ObjectNode answer(PreparedStatement s) throws SQLException {
        try (ResultSet r = s.executeQuery()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            if (r.next()) {
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    o.put(r.getMetaData().getColumnLabel(i), r.getString(i));
                }
            }
            return o;
        }
    }
}
