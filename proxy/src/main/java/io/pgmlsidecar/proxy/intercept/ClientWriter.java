package io.pgmlsidecar.proxy.intercept;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.PgError;
import java.util.List;

/** Writes backend messages to the client; blocks (a virtual thread) while the client is slow. */
public interface ClientWriter {

    ByteBufAllocator alloc();

    /** Queues an encoded message; takes ownership of {@code message}. */
    void send(ByteBuf message);

    /** Pushes what was queued to the socket. */
    void flush();

    default void rowDescription(List<Column> columns) {
        send(BackendMessages.rowDescription(alloc(), columns));
    }

    default void dataRow(byte[][] values) {
        send(BackendMessages.dataRow(alloc(), values));
    }

    default void commandComplete(String tag) {
        send(BackendMessages.commandComplete(alloc(), tag));
    }

    default void notice(PgError notice) {
        send(BackendMessages.noticeResponse(alloc(), notice));
    }

    default void error(PgError error) {
        send(BackendMessages.errorResponse(alloc(), error));
    }
}
