package io.pgmlsidecar.ml.remote;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads the wait an endpoint asks for: {@code retry-after-ms} (OpenAI, Azure OpenAI) or {@code Retry-After}. */
final class RetryAfter {
    private RetryAfter() {}

    /** The requested wait, or null when the headers ask for none (or say something unreadable). */
    static Duration from(HttpHeaders headers, Clock clock) {
        Duration ms = headers.firstValue("retry-after-ms").map(RetryAfter::millis).orElse(null);
        return ms != null ? ms : headers.firstValue("Retry-After").map(v -> parse(v, clock)).orElse(null);
    }

    /** {@code Retry-After}: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
    static Duration parse(String value, Clock clock) {
        String v = value.strip();
        try {
            double seconds = Double.parseDouble(v);
            return seconds >= 0 && Double.isFinite(seconds) ? Duration.ofMillis(Math.round(seconds * 1000)) : null;
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static Duration millis(String value) {
        try {
            double ms = Double.parseDouble(value.strip());
            return ms >= 0 && Double.isFinite(ms) ? Duration.ofMillis(Math.round(ms)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
