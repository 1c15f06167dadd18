package io.pgmlsidecar.planner.metrics;

import java.util.concurrent.atomic.AtomicLong;

/** A short id per client session (kept in the session's interceptor state), for log lines. */
final class SessionIds {
    private static final AtomicLong NEXT = new AtomicLong();

    private final String id = Long.toHexString(NEXT.incrementAndGet());

    String id() {
        return id;
    }
}
