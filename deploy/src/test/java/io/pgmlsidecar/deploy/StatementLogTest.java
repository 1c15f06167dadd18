package io.pgmlsidecar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.planner.metrics.ServedStatement;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The statement log: the threshold, one line per event, text that stays parseable, JSON. */
class StatementLogTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private static ServedStatement statement(long millis, String user, String sqlState) {
        return new ServedStatement("2a", user, "shop", "", "S2", "extended", millis * 1_000_000, sqlState);
    }

    private String[] lines() {
        String s = bytes.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? new String[0] : s.split("\n");
    }

    @Test
    void onlyStatementsAtOrAboveTheThresholdAreLogged() {
        StatementLog log = new StatementLog(out, "text", Duration.ofMillis(100));
        log.served(statement(99, "app", null));
        log.served(statement(100, "app", null));
        assertEquals(1, lines().length);
        assertEquals(true, lines()[0].matches("time=\\S+ event=slow_statement session=2a user=app database=shop route=served "
                + "strategy=S2 protocol=extended duration_ms=100.0"), lines()[0]);
        log.setThreshold(Duration.ofNanos(-1));
        log.served(statement(10_000, "app", null));
        assertEquals(1, lines().length, "-1: off");
    }

    @Test
    void clientChosenNamesAreQuotedInText() {
        StatementLog log = new StatementLog(out, "text", Duration.ZERO);
        log.served(statement(5, "evil user=\"x\"\nforged=1", "42704"));
        String line = lines()[0];
        assertEquals(1, lines().length, "a newline in a user name cannot forge a second line");
        assertTrue(line.contains("user=\"evil user=\\\"x\\\"\\nforged=1\"") && line.endsWith("sqlstate=42704"), line);
    }

    @Test
    void jsonIsOneObjectPerLine() throws Exception {
        StatementLog log = new StatementLog(out, "json", Duration.ZERO);
        log.served(statement(1500, "app", "57014"));
        JsonNode event = new ObjectMapper().readTree(lines()[0]);
        assertEquals("slow_statement", event.get("event").asText());
        assertEquals(1500.0, event.get("duration_ms").asDouble());
        assertEquals("57014", event.get("sqlstate").asText());
        assertTrue(event.get("application").isNull());
        assertThrows(IllegalArgumentException.class, () -> new StatementLog(out, "xml", Duration.ZERO));
    }
}
