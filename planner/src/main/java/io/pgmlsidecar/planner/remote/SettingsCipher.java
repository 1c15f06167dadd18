package io.pgmlsidecar.planner.remote;

import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts setting values before they are stored in PostgreSQL: AES-256-GCM with a fresh 96-bit
 * nonce per value and the database's and the setting's names as associated data, so a value copied
 * under another name, or into another database, does not decrypt. Stored form: version byte 2,
 * nonce, ciphertext with tag.
 *
 * <p>Why the database: every role can read a setting's ciphertext (model calls need it), and a role
 * that owns another database owns that database's settings table. Bound to the setting's name only,
 * a key copied there would be decrypted for calls to a URL that role set (decision 0029b).
 * Version 1 values (name only) are refused for that reason; at start the sidecar rewraps those of its
 * database (see {@link #rewrapUnbound}), so an upgrade loses no stored key.
 */
public final class SettingsCipher {

    private static final byte VERSION = 2;
    private static final byte VERSION_UNBOUND = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private SettingsCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A cipher from a base64-encoded 32-byte key; null or blank → none configured. */
    public static SettingsCipher fromBase64(String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            return null;
        }
        byte[] k;
        try {
            k = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secrets key is not base64");
        }
        if (k.length != 32) {
            throw new IllegalArgumentException("the secrets key must be 32 bytes (base64 of 32 random bytes), got " + k.length);
        }
        return new SettingsCipher(k);
    }

    /** A new random key in base64, e.g. for a development setup. */
    public static String newKeyBase64() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    public byte[] encrypt(String database, String settingName, String value) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associatedData(database, settingName));
            byte[] sealed = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    public String decrypt(String database, String settingName, byte[] stored) {
        if (stored.length > 0 && stored[0] == VERSION_UNBOUND) {
            throw new PgException(PgError.error("39000", "the stored value of setting \"" + settingName
                    + "\" was written by an older sidecar that did not bind it to its database, and is no longer used",
                    "A member of azure_ai_settings_manager sets it again: SELECT azure_ai.set_setting('" + settingName + "', '...');"));
        }
        if (stored.length < 1 + NONCE_BYTES + TAG_BITS / 8 || stored[0] != VERSION) {
            throw undecryptable(settingName);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 1, NONCE_BYTES));
            c.updateAAD(associatedData(database, settingName));
            return new String(c.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw undecryptable(settingName);
        }
    }

    /** Whether {@code stored} is a version 1 value (bound to the setting's name only), written before version 2. */
    public static boolean isUnbound(byte[] stored) {
        return stored.length > 0 && stored[0] == VERSION_UNBOUND;
    }

    /**
     * A version 1 value of {@code settingName} rewritten as version 2 bound to {@code database}: what
     * the sidecar does at start for the settings of the database it migrates, with the operator's
     * connection, so keys stored by an older build keep working (decision 0029b).
     */
    public byte[] rewrapUnbound(String database, String settingName, byte[] stored) {
        if (!isUnbound(stored) || stored.length < 1 + NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("not a version 1 value");
        }
        String value;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 1, NONCE_BYTES));
            c.updateAAD(settingName.getBytes(StandardCharsets.UTF_8));
            value = new String(c.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw undecryptable(settingName);
        }
        return encrypt(database, settingName, value);
    }

    /** database NUL name: a NUL cannot occur in either, so no two pairs give the same bytes. */
    private static byte[] associatedData(String database, String settingName) {
        return (database + '\0' + settingName).getBytes(StandardCharsets.UTF_8);
    }

    private static PgException undecryptable(String settingName) {
        return new PgException(PgError.error("39000", "the stored value of setting \"" + settingName + "\" cannot be decrypted",
                "It was written by a sidecar with another secrets key, or in another database: give every replica the same --secrets-key, or set the value again."));
    }
}
