package io.pgmlsidecar.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The settings a parse ended with, by file key, as text with secrets masked: what
 * {@code --print-config} prints (as YAML that {@code --config} reads back) and what a reload
 * compares. Help, version and the one-shot flags are not settings and are left out.
 */
final class EffectiveConfig {

    private static final Set<String> NOT_SETTINGS = Set.of("help", "version", "print-config", "config");
    private static final Set<String> SECRETS = Set.of("secrets-key", "spark-admin-password");
    /** Entries of a map setting (spark-conf) whose key names a secret: spark.hadoop.fs.s3a.secret.key, …oauthToken. */
    private static final java.util.regex.Pattern SECRET_ENTRY = java.util.regex.Pattern.compile("(?i).*(secret|password|token|credential).*");

    private EffectiveConfig() {}

    /** key → value (null when unset), in the order the options are declared. */
    static Map<String, String> of(CommandSpec spec) {
        Map<String, String> values = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            String key = ConfigSources.key(o);
            if (!NOT_SETTINGS.contains(key)) {
                Object v = o.getValue();
                if (v instanceof Map<?, ?> map) {
                    values.put(key, map.isEmpty() ? null : entries(map));
                } else {
                    values.put(key, v == null ? null : masked(key, v.toString()));
                }
            }
        }
        return values;
    }

    /** A map setting as KEY=VALUE lines, secret entries masked. */
    private static String entries(Map<?, ?> map) {
        StringBuilder b = new StringBuilder();
        map.forEach((k, v) -> b.append(b.isEmpty() ? "" : "\n").append(k).append('=')
                .append(SECRET_ENTRY.matcher(k.toString()).matches() ? "********" : v));
        return b.toString();
    }

    static String masked(String key, String value) {
        if (SECRETS.contains(key)) {
            return value.isBlank() ? value : "********";
        }
        if ((key.equals("upstream") || key.equals("notify-upstream")) && !value.isBlank()) {
            return UpstreamUrl.parse(value).redacted();
        }
        return value;
    }

    /** The YAML {@code --print-config} writes: one {@code key: value  # source} line per setting. */
    static String render(CommandSpec spec, ConfigSources sources, CommandLine.ParseResult parsed) {
        StringBuilder out = new StringBuilder("# pgml-sidecar settings: flag > environment > ");
        out.append(sources.file() == null ? "file (none given)" : sources.file()).append(" > default\n");
        Map<String, String> values = of(spec);
        for (OptionSpec o : spec.options()) {
            String key = ConfigSources.key(o);
            if (!values.containsKey(key)) {
                continue;
            }
            String v = values.get(key);
            String env = ConfigSources.envName(o);
            boolean map = o.typeInfo().isMap() && v != null;
            out.append(v == null ? "# " + key + ":" : map ? key + ":" : key + ": " + yamlScalar(v))
                    .append("  # ").append(sources.source(o, parsed).name().toLowerCase())
                    .append(env == null ? "" : ", env " + env).append('\n');
            if (map) {
                for (String line : v.split("\n")) {
                    int eq = line.indexOf('=');
                    out.append("  ").append(yamlScalar(line.substring(0, eq))).append(": ").append(yamlScalar(line.substring(eq + 1))).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String yamlScalar(String v) {
        return v.matches("[A-Za-z0-9_./:@-]+") ? v : "'" + v.replace("'", "''") + "'";
    }
}
