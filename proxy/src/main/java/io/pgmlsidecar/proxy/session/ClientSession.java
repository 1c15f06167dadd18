package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.codec.BackendDecoder;
import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.BackendType;
import io.pgmlsidecar.proxy.codec.FrontendDecoder;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.codec.FrontendType;
import io.pgmlsidecar.proxy.codec.MessageClassifier;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.codec.PgMessage;
import io.pgmlsidecar.proxy.codec.ProtocolViolation;
import io.pgmlsidecar.proxy.codec.RelayChunk;
import io.pgmlsidecar.proxy.codec.SaslMechanisms;
import io.pgmlsidecar.proxy.codec.StartupPacket;
import io.pgmlsidecar.proxy.codec.WireStrings;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its backend connection. On the fast path both directions are relayed
 * on the event loop in chunks while {@link ProtocolState} follows the conversation; a message that
 * needs the interceptor hands the session to an {@link InterceptWorker} on a virtual thread
 * (phase INTERCEPTED), which owns it until its queue is empty and hands it back. Everything a
 * session mutates is touched by one thread at a time: the event loop on the fast path, the worker
 * while intercepted, handed over through {@link Handover}'s queues and {@code eventLoop().execute}.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements BackendConnection.Listener {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private static final int CANCEL_DELIVERY_TIMEOUT_SECONDS = 10;

    private final ProxyConfig config;
    private final Interceptor interceptor;
    private final CancelKeys cancelKeys;
    private final SessionRegistry registry;
    private final Upstream upstream;
    private final WorkerThreads workerThreads;

    private final ProtocolState protocol = new ProtocolState(this::illegalTransition);
    private final Handover handover = new Handover();
    private final ServedStatements served = new ServedStatements();
    private final SessionTriggers triggers;
    private final SessionAttributes attributes = new SessionAttributes();
    private final MessageClassifier frontendClassifier = new FrontendClassifier();
    private final MessageClassifier backendClassifier = new BackendClassifier();

    private Channel client;
    private ClientOutput clientOutput;
    private Channel backend;
    /** The client sent Terminate: the backend's end of stream that follows is expected. Event loop only. */
    private boolean clientTerminated;
    /** The type of the last backend message relayed on the fast path. Event loop only. */
    private byte lastBackendType;
    /** Shared by the fast path and the worker, used only by whichever owns the session. */
    private BackendOutput backendOutput;
    private InterceptWorker.Parts workerParts;
    private FrontendDecoder decoder;
    private boolean tls;
    private boolean backendWritable = true;
    private boolean clientFlushPending;
    private final List<ByteBuf> beforeBackendConnected = new ArrayList<>();
    private ScheduledFuture<?> authTimer;
    private CancelKeys.IssuedKey issuedKey;
    private int upstreamProcessId;
    private byte[] upstreamSecret;
    /** Whether this session is counted in the registry's intercepting sessions (event-loop confined). */
    private boolean countedIntercepting;
    private final java.time.Instant connectTime = java.time.Instant.now();
    /** Null when nobody reads the metrics: the fast path then reads no clock. */
    private final RelayedLatency relayedLatency;
    /** Takes startups naming the admin console's database; null when the console is off. */
    private final ConsoleDoor consoleDoor;

    /** Where a startup for the admin console goes instead of upstream. */
    public interface ConsoleDoor {
        /** True when {@code parameters} name the console: it then owns {@code client}'s pipeline from here on. */
        boolean enter(Channel client, StartupPacket.StartupMessage startup, Map<String, String> parameters);
    }

    public ClientSession(ProxyConfig config, Interceptor interceptor, CancelKeys cancelKeys, SessionRegistry registry,
                         ConsoleDoor consoleDoor) {
        this(config, interceptor, cancelKeys, registry,
                Upstream.tcp(config.upstreamHost(), config.upstreamPort(), config.upstreamConnectTimeout()),
                WorkerThreads.VIRTUAL, consoleDoor);
    }

    ClientSession(ProxyConfig config, Interceptor interceptor, CancelKeys cancelKeys, SessionRegistry registry,
                  Upstream upstream, WorkerThreads workerThreads) {
        this(config, interceptor, cancelKeys, registry, upstream, workerThreads, null);
    }

    private ClientSession(ProxyConfig config, Interceptor interceptor, CancelKeys cancelKeys, SessionRegistry registry,
                  Upstream upstream, WorkerThreads workerThreads, ConsoleDoor consoleDoor) {
        this.consoleDoor = consoleDoor;
        this.relayedLatency = config.observer() == io.pgmlsidecar.proxy.ProxyObserver.NONE ? null : new RelayedLatency(config.observer());
        this.config = config;
        this.interceptor = interceptor;
        this.cancelKeys = cancelKeys;
        this.registry = registry;
        this.upstream = upstream;
        this.workerThreads = workerThreads;
        this.triggers = new SessionTriggers(interceptor == null ? List.of() : interceptor.triggers());
    }

    public FrontendDecoder newDecoder() {
        decoder = new FrontendDecoder(frontendClassifier, config.maxMessageLength());
        return decoder;
    }

    /** The session's phase (for tests and logs). */
    Phase phase() {
        return protocol.phase();
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        clientOutput = new ClientOutput(client);
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
        // while intercepted the worker owns the backend output (and nothing was relayed here)
        if (backendOutput != null && !protocol.intercepted()) {
            backendOutput.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        clientOutput.writabilityChanged(writable);
        if (backend != null) {
            backend.config().setAutoRead(writable);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        protocol.closed();
        registry.remove(this);
        countIntercepting(false);
        cancelKeys.revoke(issuedKey);
        if (authTimer != null) {
            authTimer.cancel(false);
        }
        clientOutput.closed();
        beforeBackendConnected.forEach(ReferenceCountUtil::release);
        beforeBackendConnected.clear();
        handover.releaseAll();
        if (backend != null) {
            backend.close();
        }
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
                    client.writeAndFlush(BackendMessages.encryptionResponse(false));
                    return;
                }
                if (decoder.hasBufferedBytes()) {
                    // bytes after SSLRequest but before the handshake could be injected in clear text
                    closeWithError(PgError.fatal("08P01", "received unencrypted data after SSL request",
                            "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack."));
                    return;
                }
                client.writeAndFlush(BackendMessages.encryptionResponse(true));
                client.pipeline().addFirst("tls", config.sslContext().newHandler(client.alloc()));
                tls = true;
            }
            case StartupPacket.GssEncRequest r -> client.writeAndFlush(BackendMessages.encryptionResponse(false));
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
            attributes.startupParameters(parseStartupParameters(s.raw()));
        } catch (RuntimeException malformed) {
            s.raw().release();
            throw malformed;
        }
        if (consoleDoor != null && consoleDoor.enter(client, s, attributes.startupParameters())) {
            leftForConsole();
            return;
        }
        protocol.startupSent();
        client.config().setAutoRead(false);
        ByteBuf startup = s.raw();
        upstream.connect(client.eventLoop(), BackendConnection.handlers(backendClassifier, config.maxMessageLength(), this))
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
                    backendConnected(f.channel());
                    backend.write(startup);
                    beforeBackendConnected.forEach(backend::write);
                    beforeBackendConnected.clear();
                    backend.flush();
                    updateClientAutoRead();
                });
    }

    /** The console took the connection: this session never existed as far as counting and shutdown go. */
    private void leftForConsole() {
        registry.remove(this);
        if (authTimer != null) {
            authTimer.cancel(false);
            authTimer = null;
        }
    }

    /** The application name PostgreSQL reports (drivers often SET it after the startup), for SHOW CLIENTS. */
    private volatile String applicationName;

    private void noteParameter(ByteBuf body) {
        if (WireStrings.read(body).equals("application_name")) {
            applicationName = WireStrings.read(body);
        }
    }

    /** What SHOW CLIENTS and SHOW SERVERS show of this session. */
    public SessionSnapshot snapshot() {
        Map<String, String> p = attributes.startupParameters();
        Channel b = backend;
        return new SessionSnapshot(client.id().asShortText(), p.get("user"), p.getOrDefault("database", p.get("user")),
                applicationName != null ? applicationName : p.get("application_name"), stateName(), (java.net.InetSocketAddress) client.remoteAddress(),
                (java.net.InetSocketAddress) client.localAddress(), tls, connectTime,
                b == null ? null : (java.net.InetSocketAddress) b.remoteAddress(),
                b == null ? null : (java.net.InetSocketAddress) b.localAddress());
    }

    private String stateName() {
        Phase phase = protocol.phase();
        return switch (phase) {
            case STARTUP, AUTHENTICATING -> "login";
            case READY -> registry.paused() && !client.config().isAutoRead() ? "paused"
                    : protocol.transactionStatus() == io.pgmlsidecar.proxy.codec.TransactionStatus.IDLE ? "idle" : "idle in transaction";
            case CLOSED -> "closed";
            case DRAINING -> "draining";
            default -> "active";
        };
    }

    /** Not in a statement nor a transaction (or not yet logged in, or gone): PAUSE need not wait for it. Any thread. */
    boolean betweenTransactions() {
        Phase phase = protocol.phase();
        return switch (phase) {
            case READY -> readyOutsideTransaction();
            case STARTUP, AUTHENTICATING, CLOSED -> true;
            default -> false;
        };
    }

    /** Between statements and outside a transaction: where PAUSE may hold the session. */
    private boolean readyOutsideTransaction() {
        return protocol.phase() == Phase.READY && protocol.transactionStatus() == io.pgmlsidecar.proxy.codec.TransactionStatus.IDLE;
    }

    /** PAUSE or RESUME: re-decide whether to read the client. Runs on the event loop. */
    public void pauseChanged() {
        updateClientAutoRead();
    }

    private void backendConnected(Channel channel) {
        backend = channel;
        config.observer().backendConnected();
        backend.closeFuture().addListener(closed -> config.observer().backendDisconnected());
        backendOutput = new BackendOutput(backend, protocol);
        workerParts = new InterceptWorker.Parts(protocol, handover, clientOutput, backendOutput, served, triggers,
                interceptor, attributes, new WorkerOwner());
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
        return params;
    }

    private void toBackend(ByteBuf bytes) {
        if (backendOutput == null) {
            beforeBackendConnected.add(bytes);
            return;
        }
        backendOutput.write(bytes);
    }

    // ---------------------------------------------------------------- hand-over to the worker and back

    private void onAttention(PgMessage m) {
        Phase phase = protocol.phase();
        if (phase == Phase.CLOSED) {
            m.frame().release();
            return;
        }
        handover.clientMessage(m);
        if (phase != Phase.INTERCEPTED) {
            if (!protocol.beginIntercept()) {
                return; // not allowed now: the session is closing, the queue is released with it
            }
            countIntercepting(true);
            if (relayedLatency != null) {
                relayedLatency.clear();
            }
            updateClientAutoRead();
            startWorker();
        }
    }

    private void startWorker() {
        backendOutput.flush(); // what the fast path wrote goes out before the worker writes
        workerThreads.start("pgml-session-" + client.id().asShortText(), new InterceptWorker(workerParts));
    }

    /** Runs on the event loop when the worker is done with its queue. */
    private void leaveIntercept() {
        handover.endOfBackendRead();
        if (protocol.phase() == Phase.CLOSED) {
            handover.releaseAll();
            return;
        }
        if (handover.clientMessagesWaiting()) {
            startWorker();
            return;
        }
        try {
            PgMessage m;
            while ((m = handover.pollBackendMessage()) != null) {
                protocol.fromBackend(m);
                client.write(m.frame(), client.voidPromise());
            }
        } catch (Handover.BackendGone gone) {
            closeClient();
            return;
        }
        client.flush();
        protocol.endIntercept();
        countIntercepting(false);
        updateClientAutoRead();
        terminateIfIdle();
    }

    /** How the worker hands the session back; both run on the event loop. */
    private final class WorkerOwner implements InterceptWorker.Owner {
        @Override
        public void workerFinished() {
            runOnEventLoop(ClientSession.this::leaveIntercept);
        }

        @Override
        public void workerFailed(PgError error) {
            runOnEventLoop(() -> closeWithError(error));
        }
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

    private void updateClientAutoRead() {
        if (client != null) {
            // PAUSE holds a session between transactions: inside one it reads on (its locks would stay held)
            boolean heldByPause = registry.paused() && readyOutsideTransaction();
            client.config().setAutoRead(!protocol.intercepted() && backend != null && backendWritable && !heldByPause);
        }
    }

    /** A move {@link ProtocolState} does not allow: a bug of ours; the client is told and the session closes. */
    private void illegalTransition(Phase from, Phase to) {
        if (client == null) {
            return;
        }
        PgError error = PgError.fatal("08P01", "pgml-sidecar lost track of the session's protocol state (phase "
                + from + " cannot move to " + to + ")", "This is a bug in the sidecar; its log has the details. Reconnect.");
        if (client.eventLoop().inEventLoop()) {
            closeWithError(error);
        } else {
            runOnEventLoop(() -> closeWithError(error));
        }
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
            } else if (protocol.intercepted()) {
                handover.backendMessage(m);
            } else {
                onBackendAttention(m);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void onBackendReadComplete() {
        handover.endOfBackendRead();
        if (clientFlushPending) {
            clientFlushPending = false;
            client.flush();
        }
        if (registry.paused()) {
            updateClientAutoRead(); // a ReadyForQuery may have just ended the statement PAUSE waited for
        }
        if (protocol.phase() == Phase.DRAINING) {
            terminateIfIdle();
        }
    }

    @Override
    public void onBackendClosed() {
        if (protocol.intercepted()) {
            handover.backendClosed();
        } else {
            handover.endOfBackendRead();
            if (upstreamLeftUnexplained()) {
                // PostgreSQL (or the network) went away without saying why: tell the client so,
                // as a FATAL error it can act on, instead of only a closed socket
                closeWithError(PgError.fatal("08006", "the upstream PostgreSQL closed the connection",
                        "Reconnect; if it repeats, check that PostgreSQL is up and the network between it and the sidecar."));
            } else {
                closeClient();
            }
        }
    }

    /**
     * True when the backend connection ended though the client did not end the session and
     * PostgreSQL sent no error saying why (it does, e.g. on pg_terminate_backend or failed
     * authentication), and the client's framing still allows one more message.
     */
    private boolean upstreamLeftUnexplained() {
        BackendDecoder decoder = backend == null ? null : backend.pipeline().get(BackendDecoder.class);
        return !clientTerminated && lastBackendType != BackendType.ERROR_RESPONSE
                && decoder != null && decoder.betweenMessages();
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
            case BackendType.BACKEND_KEY_DATA -> {
                BackendMessages.KeyData upstreamKey = BackendMessages.KeyData.read(m.body());
                upstreamProcessId = upstreamKey.processId();
                upstreamSecret = upstreamKey.secretKey();
                issuedKey = cancelKeys.issue(this, upstreamSecret.length);
                m.frame().release();
                client.write(BackendMessages.backendKeyData(client.alloc(), issuedKey.processId(), issuedKey.secret()),
                        client.voidPromise());
            }
            case BackendType.AUTHENTICATION ->
                    client.write(SaslMechanisms.withoutChannelBinding(m.frame()), client.voidPromise());
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
        protocol.requestCancel();
        if (upstreamSecret == null) {
            delivered.run();
            return;
        }
        ByteBuf packet = FrontendMessages.cancelRequest(client.alloc(), upstreamProcessId, upstreamSecret);
        upstream.connectForCancel(client.eventLoop()).addListener((ChannelFutureListener) f -> {
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
        protocol.requestDrain();
        terminateIfIdle();
    }

    /** Closes at once, telling the client why. */
    public void forceClose() {
        closeWithError(PgError.fatal("57P01", "terminating connection due to administrator command",
                "The sidecar is shutting down; reconnect to another replica or retry later."));
    }

    /** Draining and nothing left to answer, or shut down before authentication ended: close now. */
    private void terminateIfIdle() {
        Phase phase = protocol.phase();
        boolean done = phase == Phase.DRAINING ? protocol.idle()
                : phase == Phase.STARTUP || phase == Phase.AUTHENTICATING;
        if (done && protocol.drainRequested() && client.isActive()) {
            forceClose();
        }
    }

    private void authenticationTimedOut() {
        if (!protocol.authenticated()) {
            closeWithError(PgError.fatal("08P01", "authentication did not complete within "
                    + config.authenticationTimeout().toSeconds() + " s", null));
        }
    }

    private void closeWithError(PgError error) {
        if (client.isActive()) {
            client.writeAndFlush(BackendMessages.errorResponse(client.alloc(), error))
                    .addListener(ChannelFutureListener.CLOSE);
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void closeClient() {
        if (client.isActive()) {
            client.flush();
            client.close();
        }
    }

    // ---------------------------------------------------------------- classification

    /** Which client messages leave the fast path. Event loop only. */
    private final class FrontendClassifier implements MessageClassifier {
        @Override
        public boolean mayNeedAttention(byte type) {
            if (protocol.intercepted() || protocol.discardingUntilSync()) {
                return true;
            }
            return switch (type) {
                case FrontendType.QUERY, FrontendType.PARSE -> triggers.any();
                case FrontendType.BIND, FrontendType.DESCRIBE, FrontendType.EXECUTE, FrontendType.CLOSE -> !served.isEmpty();
                default -> false;
            };
        }

        @Override
        public boolean needsAttention(byte type, ByteBuf frame, int start, int frameLength) {
            if (protocol.intercepted() || protocol.discardingUntilSync()) {
                return true;
            }
            int bodyStart = start + PgMessage.HEADER_LENGTH;
            int end = start + frameLength;
            if (type == FrontendType.QUERY || type == FrontendType.PARSE) {
                protocol.settingsWatch().relayed(frame, bodyStart, end);
            }
            return switch (type) {
                case FrontendType.QUERY -> triggers.foundIn(frame, bodyStart, end);
                case FrontendType.PARSE -> triggers.foundIn(frame, bodyStart, end)
                        || (served.anyStatement() && served.hasStatement(FrontendMessages.firstString(frame.slice(bodyStart, end - bodyStart))));
                case FrontendType.BIND -> {
                    ByteBuf body = frame.slice(bodyStart, end - bodyStart);
                    String portal = WireStrings.read(body);
                    String statement = WireStrings.read(body);
                    yield served.hasStatement(statement) || served.hasPortal(portal);
                }
                case FrontendType.DESCRIBE, FrontendType.CLOSE -> {
                    FrontendMessages.Target t = FrontendMessages.Target.read(frame.slice(bodyStart, end - bodyStart));
                    yield t.isStatement() ? served.hasStatement(t.name()) : served.hasPortal(t.name());
                }
                case FrontendType.EXECUTE -> served.hasPortal(FrontendMessages.firstString(frame.slice(bodyStart, end - bodyStart)));
                default -> false;
            };
        }

        @Override
        public void observe(byte type, int length) {
            if (type == FrontendType.TERMINATE) {
                clientTerminated = true;
            }
            protocol.sent(type, length - 4);
            protocol.fromClient(type);
            if (type == FrontendType.QUERY || type == FrontendType.EXECUTE) {
                config.observer().statementRelayed(type == FrontendType.EXECUTE);
            }
            if (relayedLatency != null) {
                switch (type) {
                    case FrontendType.QUERY -> relayedLatency.query();
                    case FrontendType.EXECUTE -> relayedLatency.execute();
                    case FrontendType.SYNC -> relayedLatency.sync();
                    default -> { }
                }
            }
        }
    }

    /** Which backend messages leave the fast path. Event loop only. */
    private final class BackendClassifier implements MessageClassifier {
        @Override
        public boolean mayNeedAttention(byte type) {
            return protocol.intercepted() || type == BackendType.BACKEND_KEY_DATA || type == BackendType.AUTHENTICATION
                    || type == BackendType.READY_FOR_QUERY || type == BackendType.PARAMETER_STATUS;
        }

        @Override
        public boolean needsAttention(byte type, ByteBuf frame, int start, int frameLength) {
            if (type == BackendType.PARAMETER_STATUS) {
                // read on the way through (relayed unchanged): how the backend reads string constants decides
                // how the planner must scan statements (standard_conforming_strings)
                ByteBuf body = frame.slice(start + PgMessage.HEADER_LENGTH, frameLength - PgMessage.HEADER_LENGTH);
                try {
                    attributes.serverParameter(WireStrings.read(body), WireStrings.read(body));
                } catch (RuntimeException malformed) {
                    // not a well-formed ParameterStatus: nothing to learn from it
                }
            }
            if (protocol.intercepted()) {
                return true;
            }
            if (type == BackendType.READY_FOR_QUERY) {
                // read the status on the way through; the message itself is relayed unchanged
                protocol.readyForQuery(BackendMessages.readTransactionStatus(frame, start));
                if (relayedLatency != null) {
                    relayedLatency.readyForQuery();
                }
                if (authTimer != null) {
                    authTimer.cancel(false); // the first ReadyForQuery ends authentication
                    authTimer = null;
                }
                return false;
            }
            if (type == BackendType.PARAMETER_STATUS) {
                noteParameter(frame.slice(start + PgMessage.HEADER_LENGTH, frameLength - PgMessage.HEADER_LENGTH));
                return false;
            }
            return type == BackendType.BACKEND_KEY_DATA || SaslMechanisms.offersChannelBinding(frame, start, frameLength);
        }

        @Override
        public void observe(byte type) {
            lastBackendType = type;
            protocol.received(type);
        }
    }
}
