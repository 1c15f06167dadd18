package io.pgmlsidecar.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.planner.metrics.ServedStatement;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The slow-statement log: one line per served statement that took at least the threshold
 * ({@code --slow-statement}; 0 logs every one), as {@code key=value} text or one JSON object per
 * line ({@code --log-format json}). It names the session, user, database, application, strategy,
 * protocol, duration and SQLSTATE; never the statement's text or its parameters, which may hold
 * personal data or secrets.
 */
final class StatementLog implements ServedStatement.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final boolean json;
    private volatile long thresholdNanos;

    /** @param threshold negative: off */
    StatementLog(PrintStream out, String format, Duration threshold) {
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("log format must be text or json, not " + format);
        }
        this.out = out;
        this.json = format.equals("json");
        setThreshold(threshold);
    }

    void setThreshold(Duration threshold) {
        thresholdNanos = threshold.isNegative() ? Long.MAX_VALUE : threshold.toNanos();
    }

    @Override
    public void served(ServedStatement s) {
        if (s.nanos() < thresholdNanos) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("time", Instant.now().toString());
        fields.put("event", "slow_statement");
        fields.put("session", s.sessionId());
        fields.put("user", s.user());
        fields.put("database", s.database());
        fields.put("application", s.applicationName() == null || s.applicationName().isEmpty() ? null : s.applicationName());
        fields.put("route", "served");
        fields.put("strategy", s.strategy());
        fields.put("protocol", s.protocol());
        fields.put("duration_ms", Math.round(s.nanos() / 10_000.0) / 100.0);
        fields.put("sqlstate", s.sqlState());
        out.println(json ? toJson(fields) : toText(fields));
    }

    private static String toJson(Map<String, Object> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String toText(Map<String, Object> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> {
            if (v == null) {
                return;
            }
            if (!b.isEmpty()) {
                b.append(' ');
            }
            String text = v.toString();
            b.append(k).append('=');
            // user and application names are the client's choice: quote what would break the key=value form
            if (text.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
                b.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
            } else {
                b.append(text);
            }
        });
        return b.toString();
    }
}
