package io.pgmlsidecar.planner.remote;

import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * azure_ai.set_setting / get_setting: named settings stored encrypted in
 * {@code azure_ai.sidecar_settings}. Writing and reading them goes through the caller's session,
 * so PostgreSQL enforces that only members of azure_ai_settings_manager may; model calls read the
 * encrypted value through a SECURITY DEFINER function on behalf of any caller.
 */
public final class AzureSettings {

    /** The keys of Azure's azure_ai family; remote models may name their own under "remote.". */
    static final Set<String> AZURE_KEYS = Set.of("azure_ml.scoring_endpoint", "azure_ml.endpoint_key",
            "azure_openai.endpoint", "azure_openai.subscription_key", "azure_cognitive.endpoint",
            "azure_cognitive.subscription_key", "azure_cognitive.region", AzureMlBatches.MAX_ROWS_SETTING);
    static final String REMOTE_PREFIX = "remote.";
    static final String MANAGER_ROLE = "azure_ai_settings_manager";

    private final SettingsCipher cipher;

    public AzureSettings(SettingsCipher cipher) {
        this.cipher = cipher;
    }

    public void set(SessionContext session, String key, String value) {
        checkKey(key);
        SettingsCipher c = cipher();
        try {
            String database = value == null ? null : currentDatabase(session);
            if (value == null) {
                BackendSteps.query(session.backend(), "DELETE FROM azure_ai.sidecar_settings WHERE key = $1", key);
            } else {
                BackendSteps.query(session.backend(), "INSERT INTO azure_ai.sidecar_settings (key, value) VALUES ($1, $2::bytea) "
                        + "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = clock_timestamp(), updated_by = current_user",
                        key, "\\x" + HexFormat.of().formatHex(c.encrypt(database, key, value)));
            }
        } catch (PgException e) {
            throw permission(e, "set");
        }
    }

    /** The value, or null when it is not set. */
    public String get(SessionContext session, String key) {
        checkKey(key);
        List<String[]> rows;
        try {
            rows = BackendSteps.query(session.backend(),
                    "SELECT current_database(), encode(value, 'hex') FROM azure_ai.sidecar_settings WHERE key = $1", key);
        } catch (PgException e) {
            throw permission(e, "read");
        }
        return rows.isEmpty() ? null : cipher().decrypt(rows.get(0)[0], key, HexFormat.of().parseHex(rows.get(0)[1]));
    }

    /** The value for a model call made by any role (it is never shown to the caller); null when not set. */
    String forCall(SessionContext session, String key) {
        String[] row = BackendSteps.query(session.backend(),
                "SELECT current_database(), encode(azure_ai.sidecar_encrypted_setting($1), 'hex')", key).get(0);
        return row[1] == null ? null : cipher().decrypt(row[0], key, HexFormat.of().parseHex(row[1]));
    }

    private static String currentDatabase(SessionContext session) {
        return BackendSteps.query(session.backend(), "SELECT current_database()").get(0)[0];
    }

    private SettingsCipher cipher() {
        if (cipher == null) {
            throw new PgException(PgError.error("55000", "pgml-sidecar has no secrets key, so it cannot store or read settings",
                    "Start the sidecar with --secrets-key (or PGML_SIDECAR_SECRETS_KEY): base64 of 32 random bytes, the same on every replica."));
        }
        return cipher;
    }

    private static void checkKey(String key) {
        if (key == null || !(AZURE_KEYS.contains(key) || (key.startsWith(REMOTE_PREFIX) && key.length() > REMOTE_PREFIX.length()))) {
            throw new PgException(PgError.error("22023", "unknown setting \"" + key + "\"",
                    "Settings are " + String.join(", ", new TreeSet<>(AZURE_KEYS)) + ", and remote.<name> for the keys of remote models."));
        }
    }

    private static PgException permission(PgException e, String verb) {
        if ("42501".equals(e.error().sqlState())) {
            return new PgException(PgError.error("42501", "permission denied to " + verb + " azure_ai settings",
                    "Only members of " + MANAGER_ROLE + " may: GRANT " + MANAGER_ROLE + " TO <role>."));
        }
        return e;
    }
}
