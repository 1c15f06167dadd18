package io.pgmlsidecar.deploy;

import io.pgmlsidecar.planner.remote.SettingsCipher;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * At start, after the catalog migration: settings stored by a build before version 2 of the
 * settings format (bound to their name only) are rewritten bound to the database they are stored
 * in, in one transaction, with the operator's connection. Without it an upgrade would lose every
 * stored endpoint key; version 1 values read later (copied in from elsewhere) stay refused.
 */
final class SettingsUpgrade {
    private SettingsUpgrade() {}

    /** Rewraps the version 1 values of the database at {@code target}; returns how many. */
    static int run(UpstreamUrl target, SettingsCipher cipher) throws SQLException {
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT to_regclass('azure_ai.sidecar_settings') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
            c.setAutoCommit(false);
            String database;
            List<Object[]> old = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT current_database(), key, value FROM azure_ai.sidecar_settings "
                    + "WHERE length(value) > 0 AND get_byte(value, 0) = 1 FOR UPDATE")) {
                database = null;
                while (rs.next()) {
                    database = rs.getString(1);
                    old.add(new Object[] {rs.getString(2), rs.getBytes(3)});
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE azure_ai.sidecar_settings SET value = ? WHERE key = ? AND value = ?")) {
                for (Object[] row : old) {
                    String key = (String) row[0];
                    byte[] stored = (byte[]) row[1];
                    update.setBytes(1, cipher.rewrapUnbound(database, key, stored));
                    update.setString(2, key);
                    update.setBytes(3, stored);
                    update.executeUpdate();
                }
            }
            c.commit();
            return old.size();
        }
    }
}
