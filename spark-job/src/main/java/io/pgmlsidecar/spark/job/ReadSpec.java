package io.pgmlsidecar.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;

/** What the executors read, and as whom: the short-lived login role, which sets the calling role at once. */
record ReadSpec(String jdbcUrl, String user, String password, String role, String relation, String label,
                int partitions) implements Serializable {

    static ReadSpec of(JsonNode n) {
        return new ReadSpec(n.path("jdbcUrl").asText(), n.path("user").asText(), n.path("password").asText(),
                n.path("role").asText(), n.path("relation").asText(), n.path("label").asText(), Math.max(1, n.path("partitions").asInt(2)));
    }

    /** A connection that acts as the calling role: its privileges, row-level security policies and current_user. */
    java.sql.Connection connect() throws java.sql.SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", "pgml-sidecar spark job");
        java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl, p);
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("SET ROLE " + quoteIdent(role));
        } catch (java.sql.SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
