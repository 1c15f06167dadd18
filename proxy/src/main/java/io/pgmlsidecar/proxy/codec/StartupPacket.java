package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;

/** The untyped packets a client may send before its first typed message. */
public sealed interface StartupPacket {

    int SSL_REQUEST_CODE = 80877103;
    int GSSENC_REQUEST_CODE = 80877104;
    int CANCEL_REQUEST_CODE = 80877102;

    record SslRequest() implements StartupPacket {}

    record GssEncRequest() implements StartupPacket {}

    /** CancelRequest: process id and secret key (4 bytes in protocol 3.0, up to 256 in 3.2). */
    record CancelRequest(int processId, byte[] secretKey) implements StartupPacket {}

    /** StartupMessage; {@code raw} is the whole packet, length word included, to relay verbatim. */
    record StartupMessage(int majorVersion, int minorVersion, ByteBuf raw) implements StartupPacket {}
}
