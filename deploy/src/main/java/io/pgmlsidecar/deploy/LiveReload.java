package io.pgmlsidecar.deploy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * SIGHUP: reads the settings again (the file may have changed; flags and environment cannot),
 * applies those that are safe to change in a running sidecar, and logs every change, saying which
 * ones only take effect after a restart. A file that no longer parses changes nothing.
 */
final class LiveReload {

    private final String[] args;
    private final Supplier<CommandLine> freshCommand;
    private final Map<String, Consumer<String>> live;
    private Map<String, String> current;

    /**
     * @param live what applies each live-safe setting (given its new text; may throw
     *     IllegalArgumentException for a bad value)
     */
    LiveReload(String[] args, Supplier<CommandLine> freshCommand, Map<String, String> current, Map<String, Consumer<String>> live) {
        this.args = args.clone();
        this.freshCommand = freshCommand;
        this.current = new LinkedHashMap<>(current);
        this.live = Map.copyOf(live);
    }

    /** The settings in effect now (masked as --print-config masks them). */
    synchronized Map<String, String> current() {
        return new LinkedHashMap<>(current);
    }

    /** Whether a reload applies {@code key} to the running sidecar. */
    boolean isLive(String key) {
        return live.containsKey(key);
    }

    /** Reads the settings again; returns what it logged, one line per change. */
    synchronized java.util.List<String> reload() {
        java.util.List<String> said = new java.util.ArrayList<>();
        Map<String, String> next;
        try {
            CommandLine command = freshCommand.get();
            Path file = ConfigSources.configPath(args, System::getenv);
            command.setDefaultValueProvider(ConfigSources.load(file, command.getCommandSpec(), System::getenv));
            command.parseArgs(args);
            next = EffectiveConfig.of(command.getCommandSpec());
        } catch (Exception e) {
            String line = "reload: settings unchanged, the configuration does not parse: " + e.getMessage();
            System.err.println(line);
            return java.util.List.of(line);
        }
        int changes = 0;
        for (Map.Entry<String, String> e : next.entrySet()) {
            String key = e.getKey();
            String before = current.get(key);
            String after = e.getValue();
            if (Objects.equals(before, after)) {
                continue;
            }
            changes++;
            Consumer<String> apply = live.get(key);
            if (apply == null) {
                said.add("reload: " + key + " changed from " + before + " to " + after + " — needs a restart, still " + before);
                System.out.println(said.getLast());
                next.put(key, before);
                continue;
            }
            try {
                apply.accept(after);
                said.add("reload: " + key + " changed from " + before + " to " + after + " (applied)");
                System.out.println(said.getLast());
            } catch (RuntimeException bad) {
                said.add("reload: " + key + " = " + after + " refused: " + bad.getMessage() + "; still " + before);
                System.err.println(said.getLast());
                next.put(key, before);
            }
        }
        current = next;
        said.add("reload: done, " + changes + (changes == 1 ? " setting" : " settings") + " changed");
        System.out.println(said.getLast());
        return said;
    }
}
