package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;

/** Decides, per message, whether it is relayed as is or handed to the session whole. */
public interface MessageClassifier {

    /**
     * Called once the whole message is buffered, when {@link #mayNeedAttention} said yes.
     * {@code frame} is positioned at the type byte; must not move reader or writer indexes.
     */
    boolean needsAttention(byte type, ByteBuf frame, int start, int frameLength);

    /**
     * Called on the header alone. No means the message can stream through unbuffered, which
     * lets large CopyData or DataRow messages pass with bounded memory.
     */
    boolean mayNeedAttention(byte type);

    /** Sees every message type as it passes (also streamed ones), in order. */
    default void observe(byte type) {}

    /** As {@link #observe(byte)}, with the message's length word (body length + 4). */
    default void observe(byte type, int length) {
        observe(type);
    }
}
