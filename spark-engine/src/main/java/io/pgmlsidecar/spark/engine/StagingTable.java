package io.pgmlsidecar.spark.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The staging table of one bulk embedding, dropped as its owner (the caller, through the job's login role and
 * {@code SET ROLE}), from a connection of its own: the client's transaction may still hold a lock on it, and the drop
 * then waits until that transaction ends, whichever way it ends.
 */
final class StagingTable {
    private final String jdbcUrl;
    private final ShortLivedRole role;
    private final String callerRole;
    private final String name;

    StagingTable(String jdbcUrl, ShortLivedRole role, String callerRole, String name) {
        this.jdbcUrl = jdbcUrl;
        this.role = role;
        this.callerRole = callerRole;
        this.name = name;
    }

    String name() {
        return name;
    }

    /** Drops the table if it exists (waiting for the locks on it); false when it could not. */
    boolean drop() {
        Properties p = new Properties();
        p.setProperty("user", role.name);
        p.setProperty("password", role.password);
        p.setProperty("ApplicationName", "pgml-sidecar spark job cleanup");
        try (Connection c = DriverManager.getConnection(jdbcUrl, p); Statement s = c.createStatement()) {
            s.execute("SET ROLE " + ShortLivedRole.ident(callerRole));
            s.execute("SET lock_timeout = 0");
            s.execute("DROP TABLE IF EXISTS " + name);
            return true;
        } catch (SQLException e) {
            System.getLogger(StagingTable.class.getName()).log(System.Logger.Level.WARNING,
                    "could not drop the staging table " + name + " of a Spark embedding: " + e.getMessage());
            return false;
        }
    }
}
