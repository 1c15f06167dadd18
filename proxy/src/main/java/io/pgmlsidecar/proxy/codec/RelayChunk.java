package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;

/** Bytes of one or more whole (or a part of one large) protocol messages that go on unchanged. */
public record RelayChunk(ByteBuf bytes) {}
