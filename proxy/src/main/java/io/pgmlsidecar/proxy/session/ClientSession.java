package io.pgmlsidecar.proxy.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.FrontendDecoder;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.codec.MessageClassifier;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.codec.PgMessage;
import io.pgmlsidecar.proxy.codec.ProtocolViolation;
import io.pgmlsidecar.proxy.codec.RelayChunk;
import io.pgmlsidecar.proxy.codec.StartupPacket;
import io.pgmlsidecar.proxy.codec.WireStrings;
import io.pgmlsidecar.proxy.intercept.BoundPortal;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import io.pgmlsidecar.proxy.intercept.PreparedPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its backend connection. On the fast path (mode FAST) both directions
 * are relayed on the event loop in chunks; messages that need the interceptor switch the session
 * to mode INTERCEPT, where an {@link InterceptWorker} on a virtual thread owns the session until
 * its queue is empty. Everything a session mutates is touched by one thread at a time: the event
 * loop in FAST mode, the worker in INTERCEPT mode, handed over through queues and
 * {@code eventLoop().execute}.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements BackendConnection.Listener {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    enum Mode { FAST, INTERCEPT }

    /** Put in the backend queue when the backend connection is gone. */
    static final Object BACKEND_CLOSED = new Object();

    private static final int CANCEL_DELIVERY_TIMEOUT_SECONDS = 10;

    private final ProxyConfig config;
    private final Interceptor interceptor;
    private final CancelKeys cancelKeys;
    private final SessionRegistry registry;
    /** Words that send a Query or Parse to the interceptor; replaced whole when one is added (read on the event loop). */
    private volatile byte[][] triggers;
    /** The interceptor's per-session state ({@link io.pgmlsidecar.proxy.intercept.SessionContext#state}). */
    final java.util.concurrent.ConcurrentHashMap<Class<?>, Object> interceptorState = new java.util.concurrent.ConcurrentHashMap<>();

    Channel client;
    Channel backend;
    private FrontendDecoder decoder;
    private boolean tls;
    private boolean authenticated;
    private boolean backendWritable = true;
    private boolean backendFlushPending;
    private boolean clientFlushPending;
    private final List<ByteBuf> beforeBackendConnected = new ArrayList<>();
    private ScheduledFuture<?> authTimer;
    private CancelKeys.IssuedKey issuedKey;
    private int upstreamProcessId;
    private byte[] upstreamSecret;
    private volatile boolean shuttingDown;

    volatile Mode mode = Mode.FAST;
    final ReplyTracker tracker = new ReplyTracker();
    volatile byte transactionStatus = 'I';
    /**
     * True when nothing has been sent to the backend since a ReadyForQuery the worker saw with no
     * reply outstanding: a Sync then changes nothing there, and the worker may answer it itself.
     * Cleared by every write to the backend; set only by the worker (the client is not read while
     * it runs, so the two never race).
     */
    volatile boolean backendUntouched;
    volatile Map<String, String> startupParameters = Map.of();
    final Map<String, PreparedPlan> statements = new ConcurrentHashMap<>();
    final Map<String, BoundPortal> portals = new ConcurrentHashMap<>();
    /** An intercepted extended message failed: like PostgreSQL, drop messages until Sync. */
    volatile boolean discardUntilSync;
    volatile boolean cancelRequested;
    /** The client sent extended-protocol messages since its last Sync. */
    volatile boolean extendedExchange;
    final LinkedBlockingQueue<PgMessage> frontendQueue = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Object> backendQueue = new LinkedBlockingQueue<>();
    /**
     * Backend messages of the current read, handed to the worker together at the end of the read:
     * one wake-up of the worker per read instead of one per row (a training read or an S2 chunk is
     * thousands of DataRows). Event-loop confined.
     */
    private final ArrayList<Object> backendBatch = new ArrayList<>();
    /** Whether this session is counted in the registry's intercepting sessions (event-loop confined). */
    private boolean countedIntercepting;
    final WritabilityGate clientWritable = new WritabilityGate();

    final MessageClassifier frontendClassifier = new FrontendClassifier();
    private final MessageClassifier backendClassifier = new BackendClassifier();

    public ClientSession(ProxyConfig config, Interceptor interceptor, CancelKeys cancelKeys, SessionRegistry registry) {
        this.config = config;
        this.interceptor = interceptor;
        this.cancelKeys = cancelKeys;
        this.registry = registry;
        List<String> words = interceptor == null ? List.of() : interceptor.triggers();
        byte[][] initial = new byte[words.size()][];
        for (int i = 0; i < words.size(); i++) {
            initial[i] = words.get(i).toLowerCase().getBytes(StandardCharsets.US_ASCII);
        }
        this.triggers = initial;
    }

    /** Adds a trigger word for this session only; called by the interceptor's worker. */
    void addTrigger(String word) {
        byte[] w = word.toLowerCase().getBytes(StandardCharsets.US_ASCII);
        synchronized (interceptorState) {
            byte[][] current = triggers;
            for (byte[] t : current) {
                if (java.util.Arrays.equals(t, w)) {
                    return;
                }
            }
            byte[][] next = java.util.Arrays.copyOf(current, current.length + 1);
            next[current.length] = w;
            triggers = next;
        }
    }

    public FrontendDecoder newDecoder() {
        decoder = new FrontendDecoder(frontendClassifier, config.maxMessageLength());
        return decoder;
    }

    Interceptor interceptor() {
        return interceptor;
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        registry.add(this);
        authTimer = client.eventLoop().schedule(this::authenticationTimedOut,
                config.authenticationTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RelayChunk chunk) {
            toBackend(chunk.bytes());
        } else if (msg instanceof PgMessage m) {
            onAttention(m);
        } else if (msg instanceof StartupPacket p) {
            onStartupPacket(p);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (backendFlushPending && backend != null) {
            backendFlushPending = false;
            backend.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        clientWritable.set(writable);
        if (backend != null) {
            backend.config().setAutoRead(writable);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        registry.remove(this);
        countIntercepting(false);
        cancelKeys.revoke(issuedKey);
        if (authTimer != null) {
            authTimer.cancel(false);
        }
        clientWritable.close();
        beforeBackendConnected.forEach(ReferenceCountUtil::release);
        beforeBackendConnected.clear();
        releaseQueuedMessages();
        if (backend != null) {
            backend.close();
        }
    }

    /**
     * Releases what was queued for a worker that will not take it: a worker that stopped on an
     * error leaves the session in INTERCEPT mode, so client and backend messages read before the
     * close still queue up. A worker still running polls the same queues (each message is taken
     * once) and, should it wait for the backend, finds the closed marker added here.
     */
    private void releaseQueuedMessages() {
        PgMessage m;
        while ((m = frontendQueue.poll()) != null) {
            m.frame().release();
        }
        handOverBackendBatch();
        Object o;
        while ((o = backendQueue.poll()) != null) {
            if (o instanceof PgMessage queued) {
                queued.frame().release();
            }
        }
        backendQueue.add(BACKEND_CLOSED);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ProtocolViolation pv) {
            closeWithError(PgError.fatal("08P01", pv.getMessage(), null));
        } else if (root instanceof IOException) {
            ctx.close();
        } else {
            log.warn("closing client connection after an unexpected failure", root);
            closeWithError(PgError.fatal("XX000", "internal error in pgml-sidecar: " + root,
                    "The sidecar's log has the details."));
        }
    }

    private void onStartupPacket(StartupPacket packet) {
        switch (packet) {
            case StartupPacket.SslRequest r -> {
                if (config.sslContext() == null || tls) {
                    client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
                    return;
                }
                if (decoder.hasBufferedBytes()) {
                    // bytes after SSLRequest but before the handshake could be injected in clear text
                    closeWithError(PgError.fatal("08P01", "received unencrypted data after SSL request",
                            "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack."));
                    return;
                }
                client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}));
                client.pipeline().addFirst("tls", config.sslContext().newHandler(client.alloc()));
                tls = true;
            }
            case StartupPacket.GssEncRequest r -> client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
            case StartupPacket.CancelRequest r -> {
                ClientSession target = cancelKeys.find(r.processId(), r.secretKey());
                if (target != null) {
                    target.cancelRunningStatement(client::close);
                } else {
                    client.close();
                }
            }
            case StartupPacket.StartupMessage s -> onStartupMessage(s);
        }
    }

    private void onStartupMessage(StartupPacket.StartupMessage s) {
        if (s.majorVersion() != 3) {
            s.raw().release();
            closeWithError(PgError.fatal("0A000", "unsupported frontend protocol " + s.majorVersion() + "."
                    + s.minorVersion() + ": server supports 3.0 to 3.2", null));
            return;
        }
        try {
            startupParameters = parseStartupParameters(s.raw());
        } catch (RuntimeException malformed) {
            s.raw().release();
            throw malformed;
        }
        client.config().setAutoRead(false);
        ByteBuf startup = s.raw();
        BackendConnection.connect(client.eventLoop(), config.upstreamHost(), config.upstreamPort(),
                config.upstreamConnectTimeout(), backendClassifier, config.maxMessageLength(), this)
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        startup.release();
                        config.observer().clientRefused("upstream_unreachable");
                        closeWithError(PgError.fatal("08006", "could not connect to the upstream PostgreSQL at "
                                        + config.upstreamHost() + ":" + config.upstreamPort() + ": " + f.cause().getMessage(),
                                "Check that PostgreSQL is running there and that the sidecar's --upstream points at it."));
                        return;
                    }
                    if (!client.isActive()) {
                        startup.release();
                        f.channel().close();
                        return;
                    }
                    backend = f.channel();
                    config.observer().backendConnected();
                    backend.closeFuture().addListener(closed -> config.observer().backendDisconnected());
                    backend.write(startup);
                    beforeBackendConnected.forEach(backend::write);
                    beforeBackendConnected.clear();
                    backend.flush();
                    updateClientAutoRead();
                });
    }

    private static Map<String, String> parseStartupParameters(ByteBuf raw) {
        Map<String, String> params = new LinkedHashMap<>();
        ByteBuf b = raw.duplicate();
        b.skipBytes(8);
        while (b.isReadable() && b.getByte(b.readerIndex()) != 0) {
            String key = WireStrings.read(b);
            String value = WireStrings.read(b);
            params.put(key, value);
        }
        return Map.copyOf(params);
    }

    private void toBackend(ByteBuf bytes) {
        if (backend == null) {
            beforeBackendConnected.add(bytes);
            return;
        }
        backendUntouched = false;
        backend.write(bytes, backend.voidPromise());
        backendFlushPending = true;
    }

    private void onAttention(PgMessage m) {
        frontendQueue.add(m);
        if (mode == Mode.FAST) {
            mode = Mode.INTERCEPT;
            countIntercepting(true);
            updateClientAutoRead();
            startWorker();
        }
    }

    private void startWorker() {
        if (backendFlushPending && backend != null) {
            backendFlushPending = false;
            backend.flush();
        }
        Thread.ofVirtual().name("pgml-session-" + client.id().asShortText()).start(new InterceptWorker(this));
    }

    private void countIntercepting(boolean now) {
        if (now != countedIntercepting) {
            countedIntercepting = now;
            if (now) {
                registry.interceptStarted();
            } else {
                registry.interceptEnded();
            }
        }
    }

    private void handOverBackendBatch() {
        if (!backendBatch.isEmpty()) {
            backendQueue.addAll(backendBatch);
            backendBatch.clear();
        }
    }

    /** Runs on the event loop when the worker is done with its queue. */
    void leaveIntercept() {
        handOverBackendBatch();
        if (!frontendQueue.isEmpty()) {
            startWorker();
            return;
        }
        Object o;
        while ((o = backendQueue.poll()) != null) {
            if (o == BACKEND_CLOSED) {
                closeClient();
                return;
            }
            PgMessage m = (PgMessage) o;
            observeBackend(m);
            client.write(m.frame(), client.voidPromise());
        }
        client.flush();
        mode = Mode.FAST;
        countIntercepting(false);
        updateClientAutoRead();
        if (shuttingDown) {
            terminateIfIdle();
        }
    }

    private void updateClientAutoRead() {
        if (client != null) {
            client.config().setAutoRead(mode == Mode.FAST && backend != null && backendWritable);
        }
    }

    /** Records what a backend message says about the session (reply tracking, transaction status). */
    void observeBackend(PgMessage m) {
        tracker.received(m.type());
        if (m.type() == 'Z' && m.frame().readableBytes() >= 6) {
            onReadyForQuery(m.frame().getByte(m.frame().readerIndex() + PgMessage.HEADER_LENGTH));
        }
    }

    private void onReadyForQuery(byte status) {
        transactionStatus = status;
        if (!authenticated) {
            authenticated = true;
            if (authTimer != null) {
                authTimer.cancel(false);
            }
        }
    }

    void noteExtendedExchange(byte frontendType) {
        switch (frontendType) {
            case 'P', 'B', 'D', 'E', 'C', 'H' -> {
                if (!extendedExchange) {
                    extendedExchange = true;
                }
            }
            case 'S' -> {
                if (extendedExchange) {
                    extendedExchange = false;
                }
            }
            default -> { }
        }
    }

    /** True when {@code sql} contains one of the interceptor's trigger words. */
    boolean mentionsTrigger(String sql) {
        ByteBuf b = Unpooled.wrappedBuffer(sql.getBytes(StandardCharsets.UTF_8));
        return containsTrigger(b, 0, b.writerIndex());
    }

    // ---------------------------------------------------------------- backend side

    @Override
    public void onBackendRead(Object msg) {
        if (msg instanceof RelayChunk chunk) {
            client.write(chunk.bytes(), client.voidPromise());
            clientFlushPending = true;
        } else if (msg instanceof PgMessage m) {
            if (!client.isActive()) {
                m.frame().release(); // the client is gone: nobody will take it from the queue
            } else if (mode == Mode.INTERCEPT) {
                backendBatch.add(m);
            } else {
                onBackendAttention(m);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void onBackendReadComplete() {
        handOverBackendBatch();
        if (clientFlushPending) {
            clientFlushPending = false;
            client.flush();
        }
        if (shuttingDown && mode == Mode.FAST) {
            terminateIfIdle();
        }
    }

    @Override
    public void onBackendClosed() {
        handOverBackendBatch();
        if (mode == Mode.INTERCEPT) {
            backendQueue.add(BACKEND_CLOSED);
        } else {
            closeClient();
        }
    }

    @Override
    public void onBackendWritabilityChanged(boolean writable) {
        backendWritable = writable;
        updateClientAutoRead();
    }

    @Override
    public void onBackendFailure(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (!(root instanceof IOException)) {
            log.warn("upstream connection failed", root);
        }
        if (root instanceof ProtocolViolation pv) {
            closeWithError(PgError.fatal("08P01", "the upstream PostgreSQL broke the protocol: " + pv.getMessage(), null));
        }
        backend.close();
    }

    private void onBackendAttention(PgMessage m) {
        switch (m.type()) {
            case 'K' -> {
                ByteBuf body = m.body();
                upstreamProcessId = body.getInt(body.readerIndex());
                upstreamSecret = new byte[body.readableBytes() - 4];
                body.getBytes(body.readerIndex() + 4, upstreamSecret);
                issuedKey = cancelKeys.issue(this, upstreamSecret.length);
                m.frame().release();
                client.write(BackendMessages.backendKeyData(client.alloc(), issuedKey.processId(), issuedKey.secret()),
                        client.voidPromise());
            }
            case 'R' -> client.write(SaslMechanisms.withoutChannelBinding(m.frame()), client.voidPromise());
            default -> client.write(m.frame(), client.voidPromise());
        }
        clientFlushPending = true;
    }

    // ---------------------------------------------------------------- cancel and shutdown

    /**
     * A CancelRequest with this session's key arrived: stop our own work and cancel upstream.
     * {@code delivered} runs once PostgreSQL has closed the forwarded request's connection (it does
     * so after signalling the backend) or forwarding failed: the client's cancel connection must
     * stay open until then, because clients such as pgjdbc read its end of stream as "the cancel
     * has reached the server" and only then start their next statement — closed earlier, a late
     * signal could cancel that next statement instead.
     */
    void cancelRunningStatement(Runnable delivered) {
        cancelRequested = true;
        if (upstreamSecret == null) {
            delivered.run();
            return;
        }
        ByteBuf packet = Unpooled.buffer(12 + upstreamSecret.length);
        packet.writeInt(12 + upstreamSecret.length);
        packet.writeInt(StartupPacket.CANCEL_REQUEST_CODE);
        packet.writeInt(upstreamProcessId);
        packet.writeBytes(upstreamSecret);
        new Bootstrap().group(client.eventLoop())
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {}
                })
                .connect(config.upstreamHost(), config.upstreamPort())
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        packet.release();
                        log.warn("could not forward a cancel request upstream: {}", f.cause().toString());
                        delivered.run();
                        return;
                    }
                    Channel forwarded = f.channel();
                    // PostgreSQL answers a cancel by closing; never wait on it for long
                    ScheduledFuture<?> giveUp = forwarded.eventLoop().schedule(
                            () -> forwarded.close(), CANCEL_DELIVERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    forwarded.closeFuture().addListener(closed -> {
                        giveUp.cancel(false);
                        delivered.run();
                    });
                    forwarded.writeAndFlush(packet);
                });
    }

    /** Runs {@code task} on this session's event loop. */
    public void runOnEventLoop(Runnable task) {
        client.eventLoop().execute(task);
    }

    /** SIGTERM: finish the running statement, then close. Runs on the event loop. */
    public void beginShutdown() {
        shuttingDown = true;
        terminateIfIdle();
    }

    /** Closes at once, telling the client why. */
    public void forceClose() {
        closeWithError(PgError.fatal("57P01", "terminating connection due to administrator command",
                "The sidecar is shutting down; reconnect to another replica or retry later."));
    }

    private void terminateIfIdle() {
        if (mode == Mode.FAST && tracker.idle() && client.isActive()) {
            forceClose();
        }
    }

    private void authenticationTimedOut() {
        if (!authenticated) {
            closeWithError(PgError.fatal("08P01", "authentication did not complete within "
                    + config.authenticationTimeout().toSeconds() + " s", null));
        }
    }

    void closeWithError(PgError error) {
        if (client.isActive()) {
            client.writeAndFlush(BackendMessages.errorResponse(client.alloc(), error))
                    .addListener(ChannelFutureListener.CLOSE);
        }
        if (backend != null) {
            backend.close();
        }
    }

    void closeClient() {
        if (client.isActive()) {
            client.flush();
            client.close();
        }
    }

    // ---------------------------------------------------------------- classification

    private boolean containsTrigger(ByteBuf buf, int from, int to) {
        for (byte[] t : triggers) {
            if (AsciiSearch.containsIgnoreCase(buf, from, to, t)) {
                return true;
            }
        }
        return false;
    }

    /** Which client messages leave the fast path. Event loop only. */
    private final class FrontendClassifier implements MessageClassifier {
        @Override
        public boolean mayNeedAttention(byte type) {
            if (mode != Mode.FAST || discardUntilSync) {
                return true;
            }
            return switch (type) {
                case 'Q', 'P' -> triggers.length > 0;
                case 'B', 'D', 'E', 'C' -> !statements.isEmpty() || !portals.isEmpty();
                default -> false;
            };
        }

        @Override
        public boolean needsAttention(byte type, ByteBuf frame, int start, int frameLength) {
            if (mode != Mode.FAST || discardUntilSync) {
                return true;
            }
            int bodyStart = start + PgMessage.HEADER_LENGTH;
            int end = start + frameLength;
            return switch (type) {
                case 'Q' -> containsTrigger(frame, bodyStart, end);
                case 'P' -> containsTrigger(frame, bodyStart, end)
                        || (!statements.isEmpty() && statements.containsKey(FrontendMessages.firstString(frame.slice(bodyStart, end - bodyStart))));
                case 'B' -> {
                    ByteBuf body = frame.slice(bodyStart, end - bodyStart);
                    String portal = WireStrings.read(body);
                    String statement = WireStrings.read(body);
                    yield statements.containsKey(statement) || portals.containsKey(portal);
                }
                case 'D', 'C' -> {
                    FrontendMessages.Target t = FrontendMessages.Target.read(frame.slice(bodyStart, end - bodyStart));
                    yield t.kind() == 'S' ? statements.containsKey(t.name()) : portals.containsKey(t.name());
                }
                case 'E' -> portals.containsKey(FrontendMessages.firstString(frame.slice(bodyStart, end - bodyStart)));
                default -> false;
            };
        }

        @Override
        public void observe(byte type) {
            tracker.sent(type);
            noteExtendedExchange(type);
            if (type == 'Q' || type == 'E') {
                config.observer().statementRelayed(type == 'E');
            }
        }
    }

    /** Which backend messages leave the fast path. Event loop only. */
    private final class BackendClassifier implements MessageClassifier {
        @Override
        public boolean mayNeedAttention(byte type) {
            return mode != Mode.FAST || type == 'K' || type == 'R' || type == 'Z';
        }

        @Override
        public boolean needsAttention(byte type, ByteBuf frame, int start, int frameLength) {
            if (mode != Mode.FAST) {
                return true;
            }
            if (type == 'Z') {
                // read the status on the way through; the message itself is relayed unchanged
                onReadyForQuery(frame.getByte(start + PgMessage.HEADER_LENGTH));
                return false;
            }
            return type == 'K' || SaslMechanisms.offersChannelBinding(frame, start, frameLength);
        }

        @Override
        public void observe(byte type) {
            tracker.received(type);
        }
    }
}
