package io.pgmlsidecar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where each setting of the sidecar comes from, in one order: a flag, else its environment
 * variable, else the YAML file ({@code --config FILE}, keys named as the flags without their
 * dashes, e.g. {@code busy-poll: 200us}), else the default. Picocli asks this provider for the value
 * of every option not given on the command line; what it returns wins over the annotation's default.
 */
final class ConfigSources implements CommandLine.IDefaultValueProvider {

    static final String CONFIG_ENV = "PGML_SIDECAR_CONFIG";

    enum Source { FLAG, ENV, FILE, DEFAULT }

    private final Path file;
    private final Map<String, String> fileValues;
    private final Function<String, String> env;

    ConfigSources(Path file, Map<String, String> fileValues, Function<String, String> env) {
        this.file = file;
        this.fileValues = Map.copyOf(fileValues);
        this.env = env;
    }

    /** Reads {@code file} (null: no file) and checks its keys against {@code spec}'s options. */
    static ConfigSources load(Path file, CommandSpec spec, Function<String, String> env) throws IOException {
        Set<String> known = new TreeSet<>();
        Set<String> maps = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            known.add(key(o));
            if (o.typeInfo().isMap()) {
                maps.add(key(o));
            }
        }
        Map<String, String> values = file == null ? Map.of() : readYaml(file, maps);
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                throw new IOException(file + ": unknown setting '" + k + "' (known: " + String.join(", ", known) + ")");
            }
        }
        return new ConfigSources(file, values, env);
    }

    /** The file named by {@code --config FILE} / {@code --config=FILE} in {@code args}, else by the environment. */
    static Path configPath(String[] args, Function<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String fromEnv = env.apply(CONFIG_ENV);
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    /** A flat map of scalar settings; lists and nested maps are refused (every setting is one flag). */
    static Map<String, String> readYaml(Path file) throws IOException {
        return readYaml(file, Set.of());
    }

    /**
     * As {@link #readYaml(Path)}, where the options named in {@code maps} (repeatable KEY=VALUE flags, spark-conf) may be
     * a map of scalars: it becomes one KEY=VALUE line per entry, the form those options split their value by.
     */
    static Map<String, String> readYaml(Path file, Set<String> maps) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        Map<String, String> values = new LinkedHashMap<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return values;
        }
        if (!root.isObject()) {
            throw new IOException(file + ": expected 'key: value' lines at the top level");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject() && maps.contains(e.getKey())) {
                values.put(e.getKey(), lines(file, e.getKey(), e.getValue()));
                continue;
            }
            if (e.getValue().isContainerNode()) {
                throw new IOException(file + ": '" + e.getKey() + "' must be a single value");
            }
            if (!e.getValue().isNull()) {
                values.put(e.getKey(), e.getValue().asText());
            }
        }
        return values;
    }

    private static String lines(Path file, String key, JsonNode map) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isContainerNode() || e.getValue().isNull()) {
                throw new IOException(file + ": '" + key + "." + e.getKey() + "' must be a single value");
            }
            b.append(b.isEmpty() ? "" : "\n").append(e.getKey()).append('=').append(e.getValue().asText());
        }
        return b.toString();
    }

    /** The option's name in the file: its longest flag without the leading dashes. */
    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    /**
     * The option's environment variable: PGML_SIDECAR_ and its key in upper case, e.g.
     * PGML_SIDECAR_BUSY_POLL (every option's description names it); null for the one-shot flags.
     */
    static String envName(OptionSpec option) {
        String key = key(option);
        if (Set.of("help", "version", "print-config").contains(key)) {
            return null;
        }
        return "PGML_SIDECAR_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.command().parent() != null) {
            return null; // subcommands (download) keep their own defaults
        }
        String name = envName(option);
        String fromEnv = name == null ? null : env.apply(name);
        if (fromEnv != null) {
            return fromEnv;
        }
        return fileValues.get(key(option));
    }

    /** Where the option's value came from in this parse. */
    Source source(OptionSpec option, CommandLine.ParseResult parsed) {
        if (parsed != null && parsed.hasMatchedOption(option)) {
            return Source.FLAG;
        }
        String name = envName(option);
        if (name != null && env.apply(name) != null) {
            return Source.ENV;
        }
        return fileValues.containsKey(key(option)) ? Source.FILE : Source.DEFAULT;
    }

    Path file() {
        return file;
    }
}
