package io.pgmlsidecar.proxy.session;

import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.codec.FrontendType;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.codec.PgMessage;
import io.pgmlsidecar.proxy.codec.ProtocolViolation;
import io.pgmlsidecar.proxy.codec.TransactionStatus;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BoundPortal;
import io.pgmlsidecar.proxy.intercept.ClientWriter;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.PreparedPlan;
import io.pgmlsidecar.proxy.intercept.QueryResult;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import io.pgmlsidecar.proxy.intercept.SessionSettings;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns a session while its phase is INTERCEPTED: takes the queued client messages in order,
 * relays the ones that are not for the interceptor, waits for the replies to everything relayed
 * before answering an intercepted message itself, and gives the interceptor a
 * {@link SessionContext}. Runs on a virtual thread, so it may block. It works only with the
 * session's parts it is given, and hands the session back through its {@link Owner}.
 */
final class InterceptWorker implements Runnable, SessionContext {

    private static final Logger log = LoggerFactory.getLogger(InterceptWorker.class);

    /** The session the worker serves; both calls come from the worker's thread and return at once. */
    interface Owner {
        /** The queue is empty: hand the session back to the fast path (on the event loop). */
        void workerFinished();

        /** The worker cannot go on: close the session with {@code error} (on the event loop). */
        void workerFailed(PgError error);
    }

    /** The parts of a session the worker uses while it owns it. */
    record Parts(ProtocolState protocol, Handover handover, ClientOutput client, BackendOutput backend,
                 ServedStatements served, SessionTriggers triggers, Interceptor interceptor,
                 SessionAttributes attributes, Owner owner) {}

    private final ProtocolState protocol;
    private final Handover handover;
    private final ClientOutput client;
    private final BackendOutput backend;
    private final ServedStatements served;
    private final SessionTriggers triggers;
    private final Interceptor interceptor;
    private final SessionAttributes attributes;
    private final Owner owner;
    private final BackendOnSession backendClient;

    InterceptWorker(Parts parts) {
        this.protocol = parts.protocol();
        this.handover = parts.handover();
        this.client = parts.client();
        this.backend = parts.backend();
        this.served = parts.served();
        this.triggers = parts.triggers();
        this.interceptor = parts.interceptor();
        this.attributes = parts.attributes();
        this.owner = parts.owner();
        this.backendClient = new BackendOnSession(protocol, handover, client, backend);
    }

    @Override
    public void run() {
        try {
            PgMessage m;
            while ((m = handover.nextClientMessage()) != null) {
                try {
                    handle(m);
                } finally {
                    m.frame().release();
                }
            }
            backend.flush();
            client.flush();
        } catch (Handover.BackendGone e) {
            fail(PgError.fatal("08006", "the upstream PostgreSQL closed the connection",
                    "Reconnect; if it repeats, check the PostgreSQL server log."));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProtocolViolation e) {
            // the client's message was malformed: like a framing error, not a failure of ours
            fail(PgError.fatal("08P01", e.getMessage(), null));
            return;
        } catch (RuntimeException | Error e) {
            // an Error too (a class that fails to load, a stack overflow in a planner): left
            // uncaught it would end this thread with the session stuck in the INTERCEPTED phase
            log.error("session worker failed", e);
            fail(PgError.fatal("XX000", "internal error in pgml-sidecar: " + e, "The sidecar's log has the details."));
            return;
        }
        owner.workerFinished();
    }

    private void fail(PgError error) {
        owner.workerFailed(error);
        handover.releaseClientMessages();
    }

    private void handle(PgMessage m) throws InterruptedException {
        protocol.fromClient(m.type());
        if (protocol.discardingUntilSync() && m.type() != FrontendType.SYNC) {
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
            statement = triggers.foundIn(sql) ? interceptor.plan(sql, this) : null;
        } catch (PgException e) {
            awaitRelayedReplies();
            client.error(e.error());
            readyForQuery();
            return;
        }
        if (statement == null) {
            protocol.settingsWatch().relayed(m.body(), m.body().readerIndex(), m.body().writerIndex());
            relay(m);
            return;
        }
        awaitRelayedReplies();
        if (protocol.skippingUntilSync()) {
            return;
        }
        protocol.clearCancel();
        if (protocol.transactionStatus() == TransactionStatus.FAILED) {
            client.error(abortedTransaction());
        } else if (protocol.extendedBatchOpen()) {
            // the strategies end their own steps with Sync, which would end the client's batch (found by the corpus)
            client.error(PgError.error("0A000", "pgml-sidecar does not serve a simple Query that calls the API inside an "
                    + "unfinished extended-protocol batch", "Send Sync to end the batch before the Query, as client libraries do."));
        } else {
            runGuarded(() -> {
                startStatementClock();
                statement.executeSimple(this);
            });
        }
        readyForQuery();
    }

    private void onParse(PgMessage m) throws InterruptedException {
        FrontendMessages.Parse parse = FrontendMessages.Parse.read(m.body());
        InterceptedStatement statement;
        try {
            statement = triggers.foundIn(parse.sql()) ? interceptor.plan(parse.sql(), this) : null;
        } catch (PgException e) {
            extendedError(e.error());
            return;
        }
        if (statement == null) {
            protocol.settingsWatch().relayed(m.body(), m.body().readerIndex(), m.body().writerIndex());
            forget(served.removeStatement(parse.statementName()));
            relay(m);
            return;
        }
        awaitRelayedReplies();
        if (protocol.skippingUntilSync()) {
            return;
        }
        if (!parse.statementName().isEmpty() && served.hasStatement(parse.statementName())) {
            extendedError(PgError.error("42P05", "prepared statement \"" + parse.statementName() + "\" already exists", null));
            return;
        }
        try {
            PreparedPlan plan = statement.prepare(parse.parameterTypeOids(), this);
            forget(served.putStatement(parse.statementName(), plan));
            client.send(BackendMessages.parseComplete(client.alloc()));
        } catch (Handover.BackendGone e) {
            throw e; // not the statement's failure: the session ends
        } catch (PgException e) {
            extendedError(e.error());
        } catch (RuntimeException e) {
            extendedError(internalError(e));
        }
    }

    private void onBind(PgMessage m) throws InterruptedException {
        FrontendMessages.Bind bind = FrontendMessages.Bind.read(m.body());
        PreparedPlan plan = served.statement(bind.statementName());
        if (plan == null) {
            closePortal(served.removePortal(bind.portalName()));
            relay(m);
            return;
        }
        if (!prepareToAnswer()) {
            return;
        }
        try {
            BoundPortal portal = plan.bind(bind, this);
            closePortal(served.putPortal(bind.portalName(), portal));
            client.send(BackendMessages.bindComplete(client.alloc()));
        } catch (Handover.BackendGone e) {
            throw e; // not the statement's failure: the session ends
        } catch (PgException e) {
            extendedError(e.error());
        } catch (RuntimeException e) {
            extendedError(internalError(e));
        }
    }

    private void onDescribe(PgMessage m) throws InterruptedException {
        FrontendMessages.Target target = FrontendMessages.Target.read(m.body());
        if (target.isStatement()) {
            PreparedPlan plan = served.statement(target.name());
            if (plan == null) {
                relay(m);
                return;
            }
            if (!prepareToAnswer()) {
                return;
            }
            client.send(BackendMessages.parameterDescription(client.alloc(), plan.parameterTypeOids()));
            describeColumns(plan.resultColumns());
        } else {
            BoundPortal portal = served.portal(target.name());
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

    private void describeColumns(List<Column> columns) {
        client.send(columns == null ? BackendMessages.noData(client.alloc()) : BackendMessages.rowDescription(client.alloc(), columns));
    }

    private void onExecute(PgMessage m) throws InterruptedException {
        FrontendMessages.Execute execute = FrontendMessages.Execute.read(m.body());
        BoundPortal portal = served.portal(execute.portalName());
        if (portal == null) {
            relay(m);
            return;
        }
        if (!prepareToAnswer()) {
            return;
        }
        protocol.clearCancel();
        if (protocol.transactionStatus() == TransactionStatus.FAILED) {
            extendedError(abortedTransaction());
            return;
        }
        try {
            startStatementClock();
            portal.execute(execute.maxRows(), this);
        } catch (Handover.BackendGone e) {
            throw e; // not the statement's failure: the session ends
        } catch (PgException e) {
            extendedError(timeoutWording(e.error()));
        } catch (RuntimeException e) {
            extendedError(internalError(e));
        } finally {
            protocol.stopStatementClock();
        }
    }

    private void onClose(PgMessage m) throws InterruptedException {
        FrontendMessages.Target target = FrontendMessages.Target.read(m.body());
        boolean ours = target.isStatement() ? served.hasStatement(target.name()) : served.hasPortal(target.name());
        if (!ours) {
            relay(m);
            return;
        }
        if (!prepareToAnswer()) {
            return;
        }
        if (target.isStatement()) {
            forget(served.removeStatement(target.name()));
        } else {
            closePortal(served.removePortal(target.name()));
        }
        client.send(BackendMessages.closeComplete(client.alloc()));
    }

    private void onSync(PgMessage m) throws InterruptedException {
        protocol.discardUntilSync(false);
        // (relayed messages still awaiting replies wait for this very Sync: never wait for them first)
        if (protocol.backendUntouched() && protocol.transactionStatus() == TransactionStatus.IDLE && protocol.idle()) {
            // only intercepted statements since the last ReadyForQuery, none touched the backend:
            // its answer would be this same ReadyForQuery, so save the round trip
            client.send(BackendMessages.readyForQuery(client.alloc(), TransactionStatus.IDLE));
        } else {
            relay(m);
            awaitRelayedReplies();
            protocol.backendSettled();
        }
        if (protocol.transactionStatus() == TransactionStatus.IDLE) {
            // portals do not outlive their transaction
            served.removeAllPortals().forEach(this::closePortal);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private boolean prepareToAnswer() throws InterruptedException {
        awaitRelayedReplies();
        return !protocol.skippingUntilSync();
    }

    private void runGuarded(Runnable r) {
        try {
            r.run();
        } catch (Handover.BackendGone e) {
            throw e; // not the statement's failure: the session ends
        } catch (PgException e) {
            client.error(timeoutWording(e.error()));
        } catch (RuntimeException e) {
            client.error(internalError(e));
        } finally {
            protocol.stopStatementClock();
        }
    }

    /**
     * PostgreSQL's statement_timeout bounds only the statements the sidecar sends upstream; the clock started here
     * bounds the sidecar's own work for the client's statement too (models, remote calls, training), checked
     * wherever a cancel is.
     */
    private void startStatementClock() {
        protocol.startStatementClock(settings().statementTimeoutMillis());
    }

    /**
     * The sidecar's cancel checks all say "user request"; when it was the statement's statement_timeout that ran out,
     * the client gets PostgreSQL's wording for that.
     */
    private PgError timeoutWording(PgError error) {
        SessionSettings settings = protocol.settingsWatch().last();
        if (!"57014".equals(error.sqlState()) || !protocol.timedOut() || settings == null) {
            return error;
        }
        return PgError.error("57014", "canceling statement due to statement timeout",
                "statement_timeout is " + settings.statementTimeoutShown() + " and the sidecar's work on the statement "
                        + "(model calls included) counts against it; raise it (SET statement_timeout) or send fewer rows per statement.");
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
        if (protocol.skippingUntilSync()) {
            return;
        }
        client.error(e);
        client.flush();
        protocol.discardUntilSync(true);
    }

    private void readyForQuery() {
        client.send(BackendMessages.readyForQuery(client.alloc(), protocol.transactionStatus()));
        client.flush();
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

    /** Sends a client message on to the backend unchanged; Flush asks for the replies so far at once. */
    private void relay(PgMessage m) {
        backend.relay(m);
        if (m.type() == FrontendType.FLUSH) {
            backend.flush();
            client.flush();
        }
    }

    /** Forwards backend replies to the client until every relayed message has its answer. */
    private void awaitRelayedReplies() throws InterruptedException {
        if (protocol.idle()) {
            return;
        }
        if (protocol.extendedBatchOpen()) {
            // the backend holds replies until Sync or Flush; ask for them without ending the batch
            backend.write(FrontendMessages.flush());
        }
        backend.flush();
        while (!protocol.idle()) {
            // before blocking, push out what we wrote: while the client's socket is full, the backend
            // is not read (backpressure), so unflushed rows would wait on a reply that never comes
            PgMessage m = handover.takeBackendMessage(client::flush);
            protocol.fromBackend(m);
            client.send(m.frame());
        }
    }

    // ------------------------------------------------------------------ SessionContext

    @Override
    public ClientWriter client() {
        return client;
    }

    @Override
    public BackendClient backend() {
        return backendClient;
    }

    @Override
    public TransactionStatus transactionStatus() {
        return protocol.transactionStatus();
    }

    @Override
    public Map<String, String> startupParameters() {
        return attributes.startupParameters();
    }

    @Override
    public String serverParameter(String name) {
        return attributes.serverParameter(name);
    }

    @Override
    public boolean cancelRequested() {
        return protocol.cancelRequested();
    }

    @Override
    public SessionSettings settings() {
        SessionSettingsWatch watch = protocol.settingsWatch();
        SessionSettings settings = watch.last();
        if (watch.needsReading(protocol.transactionStatus())) {
            if (protocol.transactionStatus() == TransactionStatus.FAILED) {
                // nothing can be read in an aborted transaction; nothing but ROLLBACK runs in it either
                return settings != null ? settings : new SessionSettings(0, startupParameters().get("user"));
            }
            QueryResult r = backendClient.read("SELECT current_setting('statement_timeout'), current_user");
            settings = new SessionSettings(SessionSettings.parseMillis(r.text(0, 0)), r.text(0, 1));
            watch.read(settings);
        }
        return settings;
    }

    @Override
    public void interceptAlso(String word) {
        triggers.add(word);
    }

    @Override
    public <T> T state(Class<T> type, Supplier<T> create) {
        return attributes.state(type, create);
    }
}
