package io.pgmlsidecar.planner;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The sidecar's version, written into a resource at build time. */
public final class SidecarVersion {
    private SidecarVersion() {}

    private static final String VERSION = load();

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = SidecarVersion.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
