package io.pgmlsidecar.it.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.planner.remote.SettingsCipher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * An upgrade keeps the endpoint keys an older build stored: values of settings format 1 (bound to
 * the setting's name only, the format builds wrote before decision 0029b) are rewritten bound to
 * their database when the new sidecar starts, and answer as before; a format 1 value that appears
 * later (copied in from elsewhere) stays refused.
 */
class SettingsUpgradeTest {

    private static final TestCluster cluster = TestCluster.get();
    private static final String KEY_SETTING = "azure_ml.endpoint_key";

    /** A value as builds before settings format 2 wrote it: version 1, nonce, AES-256-GCM with the setting's name as associated data. */
    private static byte[] formatOne(String base64Key, String setting, String value) throws Exception {
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(Base64.getDecoder().decode(base64Key), "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(setting.getBytes(StandardCharsets.UTF_8));
        byte[] sealed = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(1 + nonce.length + sealed.length).put((byte) 1).put(nonce).put(sealed).array();
    }

    private static void store(String setting, byte[] value) throws SQLException {
        try (Connection d = cluster.connectDirect(null);
             PreparedStatement ps = d.prepareStatement("INSERT INTO azure_ai.sidecar_settings (key, value) VALUES (?, ?) "
                     + "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")) {
            ps.setString(1, setting);
            ps.setBytes(2, value);
            ps.executeUpdate();
        }
    }

    private static int storedVersion(String setting) throws SQLException {
        try (Connection d = cluster.connectDirect(null); Statement s = d.createStatement();
             ResultSet rs = s.executeQuery("SELECT get_byte(value, 0) FROM azure_ai.sidecar_settings WHERE key = '" + setting + "'")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    @Test
    void keysStoredByAnOlderBuildSurviveTheUpgrade() throws Exception {
        String key = SettingsCipher.newKeyBase64();
        store(KEY_SETTING, formatOne(key, KEY_SETTING, "sk-stored-before-the-upgrade"));
        try (SidecarProcess sidecar = SidecarProcess.start(cluster.postgresPort(), List.of("--secrets-key", key), Map.of())) {
            assertTrue(sidecar.output().contains("settings: 1 value(s) stored by an older sidecar are now bound to their database"),
                    sidecar.output());
            assertEquals(2, storedVersion(KEY_SETTING), "rewritten in format 2");
            try (Connection c = DriverManager.getConnection(sidecar.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT azure_ai.get_setting('" + KEY_SETTING + "')")) {
                    assertTrue(rs.next());
                    assertEquals("sk-stored-before-the-upgrade", rs.getString(1));
                }
                // a format 1 value that turns up after the start (copied from another database, say) is not trusted
                store(KEY_SETTING, formatOne(key, KEY_SETTING, "sk-copied-in"));
                SQLException refused = assertThrows(SQLException.class, () -> s.executeQuery("SELECT azure_ai.get_setting('" + KEY_SETTING + "')"));
                assertEquals("39000", refused.getSQLState(), refused.toString());
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertTrue(rs.next(), "the session stays usable");
                }
            }
        } finally {
            try (Connection d = cluster.connectDirect(null); Statement s = d.createStatement()) {
                s.execute("DELETE FROM azure_ai.sidecar_settings WHERE key = '" + KEY_SETTING + "'");
            }
        }
    }
}
