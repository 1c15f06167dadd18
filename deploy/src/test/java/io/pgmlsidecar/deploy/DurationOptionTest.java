package io.pgmlsidecar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationOptionTest {

    @Test
    void unitsOfTheDurationOptions() {
        assertEquals(Duration.ofNanos(200_000), Main.parseDuration("200us"));
        assertEquals(Duration.ofMillis(250), Main.parseDuration("250ms"));
        assertEquals(Duration.ofSeconds(30), Main.parseDuration("30s"));
        assertEquals(Duration.ofMinutes(2), Main.parseDuration("2m"));
        assertEquals(Duration.ofSeconds(5), Main.parseDuration("5"));
        assertEquals(Duration.ZERO, Main.parseDuration("0"));
    }

    @Test
    void garbageIsRefused() {
        assertThrows(NumberFormatException.class, () -> Main.parseDuration("fast"));
    }
}
