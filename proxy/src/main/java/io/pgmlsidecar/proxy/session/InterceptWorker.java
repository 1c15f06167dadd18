package io.pgmlsidecar.proxy.session;

import io.pgmlsidecar.proxy.codec.TransactionStatus;
import io.pgmlsidecar.proxy.codec.FrontendType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.codec.PgMessage;
import io.pgmlsidecar.proxy.codec.ProtocolViolation;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BoundPortal;
import io.pgmlsidecar.proxy.intercept.ClientWriter;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.PreparedPlan;
import io.pgmlsidecar.proxy.intercept.QueryResult;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns a session while it is in INTERCEPT mode: takes the queued client messages in order,
 * relays the ones that are not for the interceptor, waits for the replies to everything relayed
 * before answering an intercepted message itself, and gives the interceptor a
 * {@link SessionContext}. Runs on a virtual thread, so it may block.
 */
final class InterceptWorker implements Runnable, SessionContext, ClientWriter {

    private static final Logger log = LoggerFactory.getLogger(InterceptWorker.class);

    private final ClientSession session;
    private final BackendOnSession backendClient;
    private boolean backendFlushPending;

    InterceptWorker(ClientSession session) {
        this.session = session;
        this.backendClient = new BackendOnSession(this, session);
    }

    @Override
    public void run() {
        try {
            PgMessage m;
            while ((m = session.frontendQueue.poll()) != null) {
                try {
                    handle(m);
                } finally {
                    m.frame().release();
                }
            }
            flushBackend();
            flush();
        } catch (BackendGone e) {
            session.client.eventLoop().execute(() -> session.closeWithError(PgError.fatal("08006",
                    "the upstream PostgreSQL closed the connection", "Reconnect; if it repeats, check the PostgreSQL server log.")));
            drainQueue();
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProtocolViolation e) {
            // the client's message was malformed: like a framing error, not a failure of ours
            session.client.eventLoop().execute(() -> session.closeWithError(PgError.fatal("08P01", e.getMessage(), null)));
            drainQueue();
            return;
        } catch (RuntimeException | Error e) {
            // an Error too (a class that fails to load, a stack overflow in a planner): left
            // uncaught it would end this thread with the session stuck in INTERCEPT mode
            log.error("session worker failed", e);
            session.client.eventLoop().execute(() -> session.closeWithError(PgError.fatal("XX000",
                    "internal error in pgml-sidecar: " + e, "The sidecar's log has the details.")));
            drainQueue();
            return;
        }
        session.client.eventLoop().execute(session::leaveIntercept);
    }

    private void drainQueue() {
        PgMessage m;
        while ((m = session.frontendQueue.poll()) != null) {
            m.frame().release();
        }
    }

    private void handle(PgMessage m) throws InterruptedException {
        session.noteExtendedExchange(m.type());
        if (session.discardUntilSync && m.type() != FrontendType.SYNC) {
            return;
        }
        switch (m.type()) {
            case FrontendType.QUERY -> onQuery(m);
            case FrontendType.PARSE -> onParse(m);
            case FrontendType.BIND -> onBind(m);
            case FrontendType.DESCRIBE -> onDescribe(m);
            case FrontendType.EXECUTE -> onExecute(m);
            case FrontendType.CLOSE -> onClose(m);
            case FrontendType.SYNC -> onSync(m);
            default -> relay(m);
        }
    }

    // ------------------------------------------------------------------ messages

    private void onQuery(PgMessage m) throws InterruptedException {
        String sql = FrontendMessages.Query.read(m.body()).sql();
        InterceptedStatement statement;
        try {
            statement = session.mentionsTrigger(sql) ? session.interceptor().plan(sql, this) : null;
        } catch (PgException e) {
            awaitRelayedReplies();
            error(e.error());
            readyForQuery();
            return;
        }
        if (statement == null) {
            relay(m);
            return;
        }
        awaitRelayedReplies();
        if (session.tracker.skippingUntilSync()) {
            return;
        }
        session.cancelRequested = false;
        if (session.transactionStatus == TransactionStatus.FAILED) {
            error(abortedTransaction());
        } else {
            runGuarded(() -> statement.executeSimple(this));
        }
        readyForQuery();
    }

    private void onParse(PgMessage m) throws InterruptedException {
        FrontendMessages.Parse parse = FrontendMessages.Parse.read(m.body());
        InterceptedStatement statement;
        try {
            statement = session.mentionsTrigger(parse.sql()) ? session.interceptor().plan(parse.sql(), this) : null;
        } catch (PgException e) {
            extendedError(e.error());
            return;
        }
        if (statement == null) {
            forget(session.statements.remove(parse.statementName()));
            relay(m);
            return;
        }
        awaitRelayedReplies();
        if (session.tracker.skippingUntilSync()) {
            return;
        }
        if (!parse.statementName().isEmpty() && session.statements.containsKey(parse.statementName())) {
            extendedError(PgError.error("42P05", "prepared statement \"" + parse.statementName() + "\" already exists", null));
            return;
        }
        try {
            PreparedPlan plan = statement.prepare(parse.parameterTypeOids(), this);
            forget(session.statements.put(parse.statementName(), plan));
            send(BackendMessages.parseComplete(alloc()));
        } catch (PgException e) {
            extendedError(e.error());
        } catch (RuntimeException e) {
            extendedError(internalError(e));
        }
    }

    private void onBind(PgMessage m) throws InterruptedException {
        FrontendMessages.Bind bind = FrontendMessages.Bind.read(m.body());
        PreparedPlan plan = session.statements.get(bind.statementName());
        if (plan == null) {
            closePortal(session.portals.remove(bind.portalName()));
            relay(m);
            return;
        }
        if (!prepareToAnswer()) {
            return;
        }
        try {
            BoundPortal portal = plan.bind(bind, this);
            closePortal(session.portals.put(bind.portalName(), portal));
            send(BackendMessages.bindComplete(alloc()));
        } catch (PgException e) {
            extendedError(e.error());
        } catch (RuntimeException e) {
            extendedError(internalError(e));
        }
    }

    private void onDescribe(PgMessage m) throws InterruptedException {
        FrontendMessages.Target target = FrontendMessages.Target.read(m.body());
        if (target.isStatement()) {
            PreparedPlan plan = session.statements.get(target.name());
            if (plan == null) {
                relay(m);
                return;
            }
            if (!prepareToAnswer()) {
                return;
            }
            send(BackendMessages.parameterDescription(alloc(), plan.parameterTypeOids()));
            describeColumns(plan.resultColumns());
        } else {
            BoundPortal portal = session.portals.get(target.name());
            if (portal == null) {
                relay(m);
                return;
            }
            if (!prepareToAnswer()) {
                return;
            }
            describeColumns(portal.resultColumns());
        }
    }

    private void describeColumns(List<io.pgmlsidecar.proxy.codec.Column> columns) {
        send(columns == null ? BackendMessages.noData(alloc()) : BackendMessages.rowDescription(alloc(), columns));
    }

    private void onExecute(PgMessage m) throws InterruptedException {
        FrontendMessages.Execute execute = FrontendMessages.Execute.read(m.body());
        BoundPortal portal = session.portals.get(execute.portalName());
        if (portal == null) {
            relay(m);
            return;
        }
        if (!prepareToAnswer()) {
            return;
        }
        session.cancelRequested = false;
        if (session.transactionStatus == TransactionStatus.FAILED) {
            extendedError(abortedTransaction());
            return;
        }
        try {
            portal.execute(execute.maxRows(), this);
        } catch (PgException e) {
            extendedError(e.error());
        } catch (RuntimeException e) {
            extendedError(internalError(e));
        }
    }

    private void onClose(PgMessage m) throws InterruptedException {
        FrontendMessages.Target target = FrontendMessages.Target.read(m.body());
        boolean ours = target.isStatement() ? session.statements.containsKey(target.name())
                : session.portals.containsKey(target.name());
        if (!ours) {
            relay(m);
            return;
        }
        if (!prepareToAnswer()) {
            return;
        }
        if (target.isStatement()) {
            forget(session.statements.remove(target.name()));
        } else {
            closePortal(session.portals.remove(target.name()));
        }
        send(BackendMessages.closeComplete(alloc()));
    }

    private void onSync(PgMessage m) throws InterruptedException {
        session.discardUntilSync = false;
        // (relayed messages still awaiting replies wait for this very Sync: never wait for them first)
        if (session.backendUntouched && session.transactionStatus == TransactionStatus.IDLE && session.tracker.idle()) {
            // only intercepted statements since the last ReadyForQuery, none touched the backend:
            // its answer would be this same ReadyForQuery, so save the round trip
            send(BackendMessages.readyForQuery(alloc(), TransactionStatus.IDLE));
        } else {
            relay(m);
            awaitRelayedReplies();
            session.backendUntouched = session.tracker.idle();
        }
        if (session.transactionStatus == TransactionStatus.IDLE) {
            // portals do not outlive their transaction
            session.portals.values().forEach(this::closePortal);
            session.portals.clear();
        }
    }

    // ------------------------------------------------------------------ plumbing

    private boolean prepareToAnswer() throws InterruptedException {
        awaitRelayedReplies();
        return !session.tracker.skippingUntilSync();
    }

    private void runGuarded(Runnable r) {
        try {
            r.run();
        } catch (PgException e) {
            error(e.error());
        } catch (RuntimeException e) {
            error(internalError(e));
        }
    }

    private PgError internalError(RuntimeException e) {
        log.error("intercepted statement failed", e);
        return PgError.error("XX000", "pgml-sidecar failed to run the statement: " + e,
                "This is a bug in the sidecar; its log has the stack trace.");
    }

    private static PgError abortedTransaction() {
        return PgError.error("25P02", "current transaction is aborted, commands ignored until end of transaction block",
                "Run ROLLBACK first.");
    }

    private void extendedError(PgError e) throws InterruptedException {
        awaitRelayedReplies();
        if (session.tracker.skippingUntilSync()) {
            return;
        }
        error(e);
        flush();
        session.discardUntilSync = true;
    }

    private void readyForQuery() {
        send(BackendMessages.readyForQuery(alloc(), session.transactionStatus));
        flush();
    }

    private void forget(PreparedPlan plan) {
        if (plan != null) {
            plan.close(this);
        }
    }

    private void closePortal(BoundPortal portal) {
        if (portal != null) {
            portal.close(this);
        }
    }

    /** Sends a client message on to the backend unchanged. */
    void relay(PgMessage m) {
        session.backendUntouched = false;
        byte type = m.type();
        session.tracker.sent(type);
        session.backend.write(m.frame().retain(), session.backend.voidPromise());
        backendFlushPending = true;
        if (type == FrontendType.FLUSH) {
            flushBackend();
            flush();
        }
    }

    void writeToBackend(ByteBuf message) {
        session.backendUntouched = false;
        session.backend.write(message, session.backend.voidPromise());
        backendFlushPending = true;
    }

    void flushBackend() {
        if (backendFlushPending) {
            backendFlushPending = false;
            session.backend.flush();
        }
    }

    /** The client is inside an extended-protocol exchange (messages since its last Sync). */
    boolean midBatch() {
        return session.extendedExchange;
    }

    /** Forwards backend replies to the client until every relayed message has its answer. */
    void awaitRelayedReplies() throws InterruptedException {
        if (session.tracker.idle()) {
            return;
        }
        if (session.extendedExchange) {
            // the backend holds replies until Sync or Flush; ask for them without ending the batch
            writeToBackend(FrontendMessages.flush());
        }
        flushBackend();
        while (!session.tracker.idle()) {
            PgMessage m = nextBackendMessage();
            session.observeBackend(m);
            send(m.frame());
        }
    }

    PgMessage nextBackendMessage() throws InterruptedException {
        Object o = session.backendQueue.poll();
        if (o == null) {
            // before blocking, push out what we wrote: while the client's socket is full, the backend
            // is not read (backpressure), so unflushed rows would wait on a reply that never comes
            flush();
            o = session.backendQueue.take();
        }
        if (o == ClientSession.BACKEND_CLOSED) {
            session.backendQueue.add(o);
            throw new BackendGone();
        }
        return (PgMessage) o;
    }

    static final class BackendGone extends RuntimeException {
        BackendGone() {
            super("backend connection closed", null, false, false);
        }
    }

    // ------------------------------------------------------------------ SessionContext, ClientWriter

    @Override
    public ClientWriter client() {
        return this;
    }

    @Override
    public BackendClient backend() {
        return backendClient;
    }

    @Override
    public TransactionStatus transactionStatus() {
        return session.transactionStatus;
    }

    @Override
    public Map<String, String> startupParameters() {
        return session.startupParameters;
    }

    @Override
    public boolean cancelRequested() {
        return session.cancelRequested;
    }

    @Override
    public void interceptAlso(String word) {
        session.addTrigger(word);
    }

    @Override
    public <T> T state(Class<T> type, java.util.function.Supplier<T> create) {
        return type.cast(session.interceptorState.computeIfAbsent(type, k -> create.get()));
    }

    @Override
    public ByteBufAllocator alloc() {
        return session.client.alloc();
    }

    @Override
    public void send(ByteBuf message) {
        if (!session.client.isWritable()) {
            session.client.flush();
            try {
                session.clientWritable.awaitWritable();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        session.client.write(message, session.client.voidPromise());
    }

    @Override
    public void flush() {
        session.client.flush();
    }
}
