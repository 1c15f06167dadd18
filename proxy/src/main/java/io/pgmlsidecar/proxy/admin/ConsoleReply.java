package io.pgmlsidecar.proxy.admin;

import io.pgmlsidecar.proxy.codec.PgError;
import java.util.List;

/** What one console command answers. */
sealed interface ConsoleReply {

    /** A result set, then CommandComplete with {@code tag}. */
    record Rows(ConsoleTable table, String tag) implements ConsoleReply {}

    /** Only CommandComplete, after a NOTICE per line of {@code notices}. */
    record Done(String tag, List<String> notices) implements ConsoleReply {
        Done(String tag) {
            this(tag, List.of());
        }
    }

    /** An ErrorResponse; the session stays usable. */
    record Failed(PgError error) implements ConsoleReply {}

    /** {@code reply}, once {@code ready} holds: PAUSE answers when every transaction has ended, as PgBouncer's does. */
    record WhenReady(java.util.function.BooleanSupplier ready, ConsoleReply reply) implements ConsoleReply {}

    /** The query string held no command. */
    record Empty() implements ConsoleReply {}
}
