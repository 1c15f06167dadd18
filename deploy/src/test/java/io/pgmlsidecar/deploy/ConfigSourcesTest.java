package io.pgmlsidecar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** One precedence order for every setting: flag > environment > file > default; --print-config masks secrets. */
class ConfigSourcesTest {

    @TempDir
    Path dir;

    private record Parsed(Main main, CommandLine command, ConfigSources sources, CommandLine.ParseResult result) {
        ConfigSources.Source source(String flag) {
            return sources.source(command.getCommandSpec().findOption(flag), result);
        }
    }

    private Parsed parse(String yaml, Map<String, String> env, String... args) throws IOException {
        Path file = dir.resolve("sidecar.yaml");
        Files.writeString(file, yaml);
        Main main = new Main();
        CommandLine command = new CommandLine(main);
        ConfigSources sources = ConfigSources.load(file, command.getCommandSpec(), env::get);
        command.setDefaultValueProvider(sources);
        CommandLine.ParseResult result = command.parseArgs(args);
        return new Parsed(main, command, sources, result);
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
        Parsed p = parse("""
                listen: 0.0.0.0:7000
                busy-poll: 1ms
                select-batch-rows: 64
                warm-up: false
                """, Map.of("PGML_SIDECAR_LISTEN", "10.0.0.1:6000", "PGML_SIDECAR_SELECT_BATCH_ROWS", "32"),
                "--select-batch-rows", "16");
        assertEquals(16, p.main().selectBatchRows);
        assertEquals(ConfigSources.Source.FLAG, p.source("--select-batch-rows"));
        assertEquals("10.0.0.1:6000", p.main().listen);
        assertEquals(ConfigSources.Source.ENV, p.source("--listen"));
        assertEquals("1ms", p.main().busyPoll);
        assertEquals(ConfigSources.Source.FILE, p.source("--busy-poll"));
        assertFalse(p.main().warmUp, "a negatable flag from the file");
        assertEquals(1024, p.main().stagedBatchRows);
        assertEquals(ConfigSources.Source.DEFAULT, p.source("--staged-batch-rows"));
    }

    @Test
    void everySettingNamesItsEnvironmentVariable() {
        CommandLine command = new CommandLine(new Main());
        for (picocli.CommandLine.Model.OptionSpec o : command.getCommandSpec().options()) {
            String env = ConfigSources.envName(o);
            if (env != null) {
                assertTrue(String.join(" ", o.description()).contains(env), o.longestName() + "'s help should name " + env);
            }
        }
    }

    @Test
    void unknownKeysAndNestedValuesAreRefused() {
        IOException unknown = assertThrows(IOException.class, () -> parse("busypoll: 1ms\n", Map.of()));
        assertTrue(unknown.getMessage().contains("unknown setting 'busypoll'") && unknown.getMessage().contains("busy-poll"),
                unknown.getMessage());
        IOException nested = assertThrows(IOException.class, () -> parse("listen:\n  host: x\n", Map.of()));
        assertTrue(nested.getMessage().contains("'listen' must be a single value"), nested.getMessage());
    }

    @Test
    void printedConfigMasksSecretsAndReadsBack() throws IOException {
        Parsed p = parse("secrets-key: c2VjcmV0LWtleS1ieXRlcw==\n", Map.of(),
                "--upstream", "postgresql://app:hunter2@db.internal:5432/app");
        String printed = EffectiveConfig.render(p.command().getCommandSpec(), p.sources(), p.result());
        assertFalse(printed.contains("hunter2"), printed);
        assertFalse(printed.contains("c2VjcmV0"), printed);
        assertTrue(printed.contains("secrets-key: '********'  # file, env PGML_SIDECAR_SECRETS_KEY"), printed);
        assertTrue(printed.contains("upstream: ") && printed.contains("db.internal:5432/app  # flag"), printed);
        assertTrue(printed.contains("select-batch-rows: 256  # default, env PGML_SIDECAR_SELECT_BATCH_ROWS"), printed);
        // what it prints is a configuration file again (secrets aside)
        Path again = dir.resolve("printed.yaml");
        Files.writeString(again, printed.lines().filter(l -> !l.startsWith("secrets-key") && !l.startsWith("upstream"))
                .reduce("", (a, b) -> a + b + "\n"));
        assertEquals("256", ConfigSources.readYaml(again).get("select-batch-rows"));
    }
}
