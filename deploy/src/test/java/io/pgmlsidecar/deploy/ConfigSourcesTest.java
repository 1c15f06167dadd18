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

    @Test
    void sparkSettingsComeFromTheSameSourcesAndReachTheEngineUnderItsNames() throws IOException {
        Parsed p = parse("""
                spark-master: spark://spark.internal:7077
                spark-partitions: 4
                spark-conf:
                  spark.executor.memory: 4g
                  spark.hadoop.fs.s3a.secret.key: s3-secret-value
                """, Map.of("PGML_SIDECAR_SPARK_MASTER", "local[3]", "PGML_SIDECAR_SPARK_ADMIN_PASSWORD", "admin-secret-value"),
                "--spark-partitions", "6");
        var settings = p.main().spark.settings();
        assertEquals("local[3]", settings.apply("pgml.spark.master"));
        assertEquals(ConfigSources.Source.ENV, p.source("--spark-master"));
        assertEquals("6", settings.apply("pgml.spark.partitions"));
        assertEquals("admin-secret-value", settings.apply("pgml.spark.admin-password"));
        assertEquals("spark.executor.memory=4g\nspark.hadoop.fs.s3a.secret.key=s3-secret-value\n", settings.apply("pgml.spark.conf"));
        assertEquals(ConfigSources.Source.FILE, p.source("--spark-conf"));
        assertEquals(null, settings.apply("pgml.spark.home"));

        String printed = EffectiveConfig.render(p.command().getCommandSpec(), p.sources(), p.result());
        assertFalse(printed.contains("admin-secret-value") || printed.contains("s3-secret-value"), printed);
        assertTrue(printed.contains("spark-admin-password: '********'  # env, env PGML_SIDECAR_SPARK_ADMIN_PASSWORD"), printed);
        assertTrue(printed.contains("spark-master: 'local[3]'  # env"), printed);
        assertTrue(printed.contains("spark-conf:  # file, env PGML_SIDECAR_SPARK_CONF\n  spark.executor.memory: 4g\n"
                + "  spark.hadoop.fs.s3a.secret.key: '********'\n"), printed);
        // the printed map is a configuration file again
        Path again = dir.resolve("printed.yaml");
        Files.writeString(again, printed.lines().filter(l -> !l.contains("********")).reduce("", (a, b) -> a + b + "\n"));
        assertEquals("spark.executor.memory=4g", ConfigSources.readYaml(again, java.util.Set.of("spark-conf")).get("spark-conf"));
    }

    @Test
    void sparkConfFromFlagsAndFromTheEnvironmentOneEntryPerLine() throws IOException {
        Parsed flags = parse("", Map.of(), "--spark-conf", "spark.app.name=a b", "--spark-conf", "spark.jars=/x.jar,/y.jar");
        assertEquals("spark.app.name=a b\nspark.jars=/x.jar,/y.jar\n", flags.main().spark.settings().apply("pgml.spark.conf"));
        Parsed env = parse("", Map.of("PGML_SIDECAR_SPARK_CONF", "spark.executor.cores=2\nspark.executor.memory=2g\n"));
        assertEquals("spark.executor.cores=2\nspark.executor.memory=2g\n", env.main().spark.settings().apply("pgml.spark.conf"));
        IOException nested = assertThrows(IOException.class, () -> parse("spark-conf:\n  spark.x:\n    y: 1\n", Map.of()));
        assertTrue(nested.getMessage().contains("'spark-conf.spark.x' must be a single value"), nested.getMessage());
    }
}
