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

    synchronized void reload() {
        Map<String, String> next;
        try {
            CommandLine command = freshCommand.get();
            Path file = ConfigSources.configPath(args, System::getenv);
            command.setDefaultValueProvider(ConfigSources.load(file, command.getCommandSpec(), System::getenv));
            command.parseArgs(args);
            next = EffectiveConfig.of(command.getCommandSpec());
        } catch (Exception e) {
            System.err.println("reload: settings unchanged, the configuration does not parse: " + e.getMessage());
            return;
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
                System.out.println("reload: " + key + " changed from " + before + " to " + after
                        + " — needs a restart, still " + before);
                next.put(key, before);
                continue;
            }
            try {
                apply.accept(after);
                System.out.println("reload: " + key + " changed from " + before + " to " + after + " (applied)");
            } catch (RuntimeException bad) {
                System.err.println("reload: " + key + " = " + after + " refused: " + bad.getMessage() + "; still " + before);
                next.put(key, before);
            }
        }
        current = next;
        System.out.println("reload: done, " + changes + (changes == 1 ? " setting" : " settings") + " changed");
    }
}
