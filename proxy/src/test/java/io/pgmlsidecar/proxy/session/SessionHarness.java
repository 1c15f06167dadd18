package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One {@link ClientSession} in process: the client's connection and the backend connection are
 * Netty {@link EmbeddedChannel}s running the session's real pipelines, PostgreSQL is a
 * {@link ScriptedPostgres}, and the intercept worker runs on the test's thread when the harness
 * settles, so every hand-over happens at a point the test knows.
 */
final class SessionHarness {

    static final int UPSTREAM_PID = 4242;
    static final byte[] UPSTREAM_SECRET = {11, 22, 33, 44};

    final ScriptedPostgres postgres = new ScriptedPostgres();
    final ClientSession session;
    final EmbeddedChannel client;
    EmbeddedChannel backend;
    /** CancelRequests the session forwarded upstream, one connection each. */
    final List<byte[]> forwardedCancels = new ArrayList<>();
    private final Deque<Runnable> workers = new ArrayDeque<>();
    private final ByteArrayOutputStream clientInbox = new ByteArrayOutputStream();

    SessionHarness(Interceptor interceptor, CancelKeys keys) {
        ProxyConfig config = ProxyConfig.of("127.0.0.1", 0, "postgres.invalid", 5432);
        session = new ClientSession(config, interceptor, keys, new SessionRegistry(), new Upstream() {
            @Override
            public ChannelFuture connect(EventLoop loop, ChannelHandler handlers) {
                backend = new EmbeddedChannel(postgres, handlers);
                return backend.newSucceededFuture();
            }

            @Override
            public ChannelFuture connectForCancel(EventLoop loop) {
                EmbeddedChannel forwarded = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                        forwardedCancels.add(ByteBufUtil.getBytes((ByteBuf) msg));
                        ((ByteBuf) msg).release();
                        promise.trySuccess();
                        ctx.close(); // PostgreSQL closes a cancel connection once it signalled the backend
                    }
                });
                return forwarded.newSucceededFuture();
            }
        }, (name, worker) -> workers.add(worker));
        client = new EmbeddedChannel(session.newDecoder(), session);
    }

    /** The client sends {@code messages} in one write; the harness then runs everything that follows from it. */
    void send(byte[]... messages) {
        client.writeInbound(Unpooled.wrappedBuffer(Wire.concat(messages)));
        settle();
    }

    /** Runs queued workers and event-loop tasks until neither is left. */
    void settle() {
        for (int round = 0; round < 1_000; round++) {
            client.runPendingTasks();
            if (backend != null) {
                backend.runPendingTasks();
            }
            Runnable worker = workers.poll();
            if (worker == null) {
                return;
            }
            worker.run();
        }
        throw new AssertionError("the session never settled");
    }

    /** Everything the client received since the last call, as messages. */
    List<Wire.Msg> received() {
        return Wire.frames(rawReceived());
    }

    /** The bytes the client received since the last call (startup answers are untyped). */
    byte[] rawReceived() {
        Object o;
        while ((o = client.readOutbound()) != null) {
            clientInbox.writeBytes(Wire.bytes((ByteBuf) o));
        }
        byte[] all = clientInbox.toByteArray();
        clientInbox.reset();
        return all;
    }

    /** The message types the client received since the last call, e.g. "TDCZ". */
    String receivedTypes() {
        return Wire.types(received());
    }

    /** Startup and trust authentication; the client reads AuthenticationOk, the sidecar's key, ReadyForQuery. */
    List<Wire.Msg> authenticate() {
        postgres.expect('0', "user").reply(Wire.authenticationOk(), Wire.keyData(UPSTREAM_PID, UPSTREAM_SECRET), Wire.ready());
        send(Wire.startup("alice", "shop"));
        return received();
    }
}
